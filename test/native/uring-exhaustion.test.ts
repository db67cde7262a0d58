/**
 * The io_uring engine under forced exhaustion (tiny configurations): a 2-entry SQ ring, a provided-buffer
 * ring of 2 small buffers (ENOBUFS), a pool of 1-2 send slices with frames larger than a slice, and short
 * sends into a peer that is not reading. Every byte must arrive intact and in order, nothing may leak.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';
import { command, echoRoundTrip, EngineHarness } from './uring-harness';

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
  await h.untilStats((st) => st.uringSendSlicesInUse === 0, 'all send slices back');
  expect(h.stats()).toMatchObject({ sessions: 0, recvBuffersHeld: 0, sendBytesPending: 0 });
  for (const s of h.opened()) expect(s.eventsAfterClose).toBe(0);
}

/**
 * Queues `count` frames (`perSend` to a SEND) to a peer that does not read, until the session stays BLOCKED
 * (a SEND the kernel takes at once is BLOCKED and WRITABLE again in the same flush: more than the socket
 * buffers hold must be queued).
 */
async function blockOnPausedPeer(h: EngineHarness, count: number, perSend: number, size: number) {
  const client = await RawClient.connect(h.listen(), { paused: true });
  await h.until(() => h.opened().length === 1, 'OPEN');
  const session = [...h.sessions.keys()][0];
  const frames = Array.from({ length: count }, (_, i) => frame(150, i + 1, pattern(size + i, i + 7)));
  for (let i = 0; i < count; i += perSend) h.send(session, Buffer.concat(frames.slice(i, i + perSend)));
  await h.until(() => h.sessions.get(session)!.blocked > h.sessions.get(session)!.writable, 'BLOCKED');
  return { client, session, count, all: Buffer.concat(frames) };
}

/** Lets the peer read: every frame arrives in order and the session turns WRITABLE. */
async function drainToPeer(h: EngineHarness, blocked: Awaited<ReturnType<typeof blockOnPausedPeer>>) {
  const { client, session, count, all } = blocked;
  client.socket.resume();
  await client.until(() => client.frames.length === count, 'every frame', 20_000);
  const got = Buffer.concat(client.frames.map((f) => frame(f.msgId, f.seq, f.payload)));
  expect(got.equals(all)).toBe(true);
  await h.until(() => h.sessions.get(session)!.writable === h.sessions.get(session)!.blocked, 'WRITABLE');
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
      {
        uringSendSliceSize: sliceBytes,
        uringSendSliceCount: 2,
        sendSoftLimit: 256 * 1024,
        sendHardLimit: 32 << 20,
      },
      false,
    );
    const blocked = await blockOnPausedPeer(h, 240, 20, 50_000); // 12 MB: more than the loopback socket buffers take at once
    const { client, all } = blocked;
    await drainToPeer(h, blocked);
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

describe('uring engine sends from the send queue', () => {
  it('a backlog larger than a slice goes out from the queue blocks: no slice held, pending bytes exact', async () => {
    const h = start({ sendSoftLimit: 256 * 1024, sendHardLimit: 32 << 20 }, false); // 16 KiB slices
    const blocked = await blockOnPausedPeer(h, 200, 10, 70_000); // 14 MB
    const { client, all } = blocked;
    // The kernel holds what it took; everything else is pending, to the byte, and no slice is in use.
    const held = h.stats();
    expect(held.sendBytesPending).toBe(all.length - held.bytesOut);
    expect(held.sendBytesPending).toBeGreaterThan(256 * 1024);
    expect(held.uringSendSlicesInUse).toBe(0);
    await drainToPeer(h, blocked);
    expect(h.stats()).toMatchObject({ bytesOut: all.length, sendBytesPending: 0 });
    await closeAll(h, [client]);
  });

  for (const ioThreads of [0, 2]) {
    it(`a SEND's command log is free when submit returns: the peer gets what was sent (ioThreads ${ioThreads})`, async () => {
      const h = start({ ioThreads, sendSoftLimit: 256 * 1024, sendHardLimit: 32 << 20 }, false);
      const client = await RawClient.connect(h.listen(), { paused: true });
      await h.until(() => h.opened().length === 1, 'OPEN');
      const session = [...h.sessions.keys()][0];
      const frames = Array.from({ length: 200 }, (_, i) => frame(150, i + 1, pattern(70_000 + i, i + 3)));
      const all = Buffer.concat(frames); // 14 MB: more than the loopback socket buffers take at once
      for (let i = 0; i < frames.length; i += 10) {
        const cmd = command(1, session, Buffer.concat(frames.slice(i, i + 10)));
        h.engine.submit(cmd, cmd.length);
        cmd.fill(0xee); // what the kernel did not take at once must have been copied before submit returned
      }
      // Every SEND applied (ioThreads: on the loop threads, later, after the last event JS gets: polled), a
      // backlog left, counted to the byte.
      const settled = (st: Record<string, number>) =>
        st.framesOut === frames.length &&
        st.sendBytesPending > 0 &&
        st.sendBytesPending === all.length - st.bytesOut;
      await h.untilStats(settled, 'every SEND applied, the rest pending to the byte');
      client.socket.resume();
      await client.until(() => client.frames.length === frames.length, 'every frame', 20_000);
      const got = Buffer.concat(client.frames.map((f) => frame(f.msgId, f.seq, f.payload)));
      expect(got.equals(all)).toBe(true);
      await h.untilStats((st) => st.sendBytesPending === 0, 'nothing pending');
      await closeAll(h, [client]);
    });
  }
});

describe('uring engine read pausing', () => {
  it('PAUSE_READ mid-stream: nothing is delivered while paused, nothing is lost or reordered', async () => {
    // Small receive buffers: the stream arrives in many completions, some already posted when the pause lands.
    const h = start({ uringBufferCount: 8, uringBufferSize: 256 }, false);
    const client = await RawClient.connect(h.listen());
    await h.until(() => h.opened().length === 1, 'OPEN');
    const session = [...h.sessions.keys()][0];
    const log = h.sessions.get(session)!;
    const frames = Array.from({ length: 3000 }, (_, i) => frame(100, i + 1, pattern(40 + (i % 90), i)));
    let paused = -1;
    const pauseAt = h
      .until(() => log.frames.length >= 200, '200 frames')
      .then(() => {
        h.command(5, session); // PAUSE_READ: applied before submit() returns (inline mode)
        paused = log.frames.length;
      });
    await client.write(Buffer.concat(frames));
    await pauseAt;
    // Absence can only be shown by waiting a bounded time: the peer's bytes keep arriving meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    expect(log.frames.length).toBe(paused);
    h.command(6, session); // RESUME_READ
    await h.until(() => log.frames.length === frames.length, 'every frame after resume');
    expect(log.frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    log.frames.forEach((f, i) => expect(f.payload.equals(pattern(40 + (i % 90), i))).toBe(true));
    expect(h.stats().recvBuffersHeld).toBe(0);
    client.destroy();
    await h.until(() => log.closes.length === 1, 'CLOSE');
  });
});
