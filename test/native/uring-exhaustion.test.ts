/**
 * The io_uring engine under forced exhaustion (tiny configurations): a 2-entry SQ ring, a provided-buffer
 * ring of 2 small buffers (ENOBUFS), a pool of 1-2 send slices with frames larger than a slice, and short
 * sends into a peer that is not reading. Every byte must arrive intact and in order, nothing may leak.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';
import { echoRoundTrip, EngineHarness } from './uring-harness';

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.shutdown();
});

function start(options: Record<string, unknown>, echo = true): EngineHarness {
  const h = new EngineHarness(options, echo);
  harnesses.push(h);
  return h;
}

async function closeAll(h: EngineHarness, peers: RawClient[]): Promise<void> {
  for (const p of peers) p.destroy();
  await h.until(() => h.opened().every((s) => s.closes.length === 1), 'CLOSE for every session');
  await h.until(() => h.stats().uringSendSlicesInUse === 0, 'all send slices back');
  expect(h.stats()).toMatchObject({ sessions: 0, recvBuffersHeld: 0, sendBytesPending: 0 });
  for (const s of h.opened()) expect(s.eventsAfterClose).toBe(0);
}

describe('uring engine under exhaustion', () => {
  it('a 2-entry SQ ring: submits and retries, drops nothing', async () => {
    const h = start({ uringEntries: 2 });
    const peers = await echoRoundTrip(h.listen(), 12, 150, 3000);
    const stats = h.stats();
    // More SQEs than the ring holds went through it, in many io_uring_enter calls.
    expect(stats.uringSqes).toBeGreaterThan(12 * 2);
    expect(stats.uringEnter).toBeGreaterThan(stats.uringSqes / 2 - 1);
    await closeAll(h, peers);
  });

  it('a provided-buffer ring of 2 x 64 bytes runs dry (ENOBUFS) without losing or reordering bytes', async () => {
    const h = start({ uringBufferCount: 2, uringBufferSize: 64 });
    const peers = await echoRoundTrip(h.listen(), 6, 120, 2000);
    const stats = h.stats();
    expect(stats.uringBufRingEmpty).toBeGreaterThan(0);
    expect(stats.framesIn).toBe(6 * 120);
    await closeAll(h, peers);
  });

  it('one 256-byte send slice shared by several sessions streams frames larger than the slice', async () => {
    const h = start({ uringSendSliceCount: 1, uringSendSliceSize: 256 });
    const peers = await echoRoundTrip(h.listen(), 5, 80, 5000);
    expect(h.stats().bytesOut).toBe(h.stats().bytesIn);
    await closeAll(h, peers);
  });

  it('two 1 KiB slices, 4 small receive buffers and a 4-entry SQ ring at once', async () => {
    const h = start({
      uringEntries: 4,
      uringBufferCount: 4,
      uringBufferSize: 128,
      uringSendSliceCount: 2,
      uringSendSliceSize: 1024,
    });
    const peers = await echoRoundTrip(h.listen(), 8, 100, 4000);
    expect(h.stats().uringBufRingEmpty).toBeGreaterThan(0);
    await closeAll(h, peers);
  });

  it('short sends into a peer that is not reading resubmit the rest, in order', async () => {
    const sliceBytes = 4 << 20; // larger than the free socket space when it turns writable: short writes
    const h = start(
      { uringSendSliceSize: sliceBytes, sendSoftLimit: 256 * 1024, sendHardLimit: 32 << 20 },
      false,
    );
    const port = h.listen();
    const client = await RawClient.connect(port, { paused: true });
    await h.until(() => h.opened().length === 1, 'OPEN');
    const session = [...h.sessions.keys()][0];
    const frames = Array.from({ length: 80 }, (_, i) => frame(150, i + 1, pattern(50_000 + i, i + 7)));
    const all = Buffer.concat(frames);
    for (let i = 0; i < frames.length; i += 20) h.send(session, Buffer.concat(frames.slice(i, i + 20)));
    await h.until(() => h.sessions.get(session)!.blocked === 1, 'BLOCKED');
    client.socket.resume();
    await client.until(() => client.frames.length === frames.length, 'every frame', 20_000);
    const got = Buffer.concat(client.frames.map((f) => frame(f.msgId, f.seq, f.payload)));
    expect(got.equals(all)).toBe(true);
    await h.until(() => h.sessions.get(session)!.writable === 1, 'WRITABLE');
    const stats = h.stats();
    expect(stats.bytesOut).toBe(all.length);
    // SQEs = 1 multishot accept + 1 multishot recv + the writes; more writes than full slices needed
    // can only come from short writes whose rest was resubmitted.
    expect(stats.uringBufRingEmpty).toBe(0);
    const writes = stats.uringSqes - 2;
    expect(writes).toBeGreaterThan(Math.ceil(all.length / sliceBytes));
    await closeAll(h, [client]);
  });
});
