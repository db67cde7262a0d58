/**
 * The io_uring engine receives the rest of a big frame straight into the frame's payload block (one plain
 * recv at a time, past the provided buffers; counted in uringRecvDirectBytes). A tiny provided-buffer ring
 * makes that path certain: once a frame's header is in, at most two 4 KiB buffers' worth of it can come
 * through the ring before its rest goes direct. Every byte must arrive intact and in order, a pause or a
 * close while the kernel holds the block must lose nothing and free everything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';
import { EngineHarness } from './uring-harness';

const MiB = 1 << 20;
const tinyRing = { uringBufferCount: 2, uringBufferSize: 4096, maxFrameBytes: 2 * MiB };

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.shutdown();
});

function start(options: Record<string, unknown>, echo = true): EngineHarness {
  const h = new EngineHarness({ ...tinyRing, ...options }, echo);
  harnesses.push(h);
  return h;
}

/** Big and small frames mixed, so a direct receive ends exactly where the next frame starts. */
function bigAndSmall(seed: number): Buffer[] {
  const sizes = [MiB, 100, 300 * 1024, 5, MiB - 10, 40_000, 4095, 4096 * 3 + 1];
  return sizes.map((size, i) => frame(200 + i, i + 1, pattern(size, seed * 100 + i)));
}

async function openSession(h: EngineHarness) {
  const client = await RawClient.connect(h.listen());
  await h.until(() => h.opened().length === 1, 'OPEN');
  const session = [...h.sessions.keys()][0];
  return { client, session, log: h.sessions.get(session)! };
}

describe('uring engine receives big frames straight into their payload block', () => {
  for (const ioThreads of [0, 2]) {
    it(`echoes big and small frames intact and in order, big ones mostly received direct (ioThreads ${ioThreads})`, async () => {
      const h = start({ ioThreads });
      const peers = await Promise.all([0, 1, 2].map(() => RawClient.connect(h.listen())));
      const sent = peers.map((_, i) => bigAndSmall(i + 1));
      await Promise.all(peers.map((p, i) => p.write(Buffer.concat(sent[i]))));
      await Promise.all(
        peers.map((p, i) => p.until(() => p.frames.length === sent[i].length, 'every frame echoed', 20_000)),
      );
      peers.forEach((p, i) => {
        const got = Buffer.concat(p.frames.map((f) => frame(f.msgId, f.seq, f.payload)));
        expect(got.equals(Buffer.concat(sent[i]))).toBe(true);
      });
      // Per big frame at most two ring buffers and its last byte come through the ring.
      const bigPayload = (MiB + 300 * 1024 + MiB - 10 + 40_000) * peers.length;
      const stats = h.stats();
      expect(stats.uringRecvDirectBytes).toBeGreaterThan(bigPayload - 4 * peers.length * (2 * 4096 + 1));
      expect(stats.uringRecvDirectBytes).toBeLessThan(stats.bytesIn);
      for (const p of peers) p.destroy();
      await h.until(() => h.opened().every((s) => s.closes.length === 1), 'CLOSE for every session');
      expect(h.stats()).toMatchObject({ sessions: 0, recvBuffersHeld: 0 });
    });
  }

  it('PAUSE_READ while the rest of a frame is being received direct: no frame while paused, none lost', async () => {
    const h = start({}, false);
    const { client, session, log } = await openSession(h);
    const payload = pattern(MiB, 42);
    const whole = Buffer.concat([frame(300, 7, payload), frame(301, 8, pattern(50, 43))]);
    await client.write(whole.subarray(0, 200_000));
    await h.untilStats((s) => s.uringRecvDirectBytes > 0, 'a direct receive');
    h.command(5, session); // PAUSE_READ: cancels the direct receive (applied before submit() returns)
    await client.write(whole.subarray(200_000));
    // Absence can only be shown by waiting a bounded time: the peer's bytes keep arriving meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    expect(log.frames.length).toBe(0);
    h.command(6, session); // RESUME_READ
    await h.until(() => log.frames.length === 2, 'both frames after resume');
    expect(log.frames[0]).toMatchObject({ msgId: 300, seq: 7 });
    expect(log.frames[0].payload.equals(payload)).toBe(true);
    expect(log.frames[1].payload.equals(pattern(50, 43))).toBe(true);
    expect(h.stats().recvBuffersHeld).toBe(0);
    client.destroy();
    await h.until(() => log.closes.length === 1, 'CLOSE');
  });

  it('a session closed while the kernel receives into its frame: more bytes arrive, nothing leaks', async () => {
    const h = start({}, false);
    const { client, session, log } = await openSession(h);
    const big = frame(300, 1, pattern(MiB, 44));
    await client.write(big.subarray(0, 100_000));
    await h.untilStats((s) => s.uringRecvDirectBytes > 0, 'a direct receive');
    h.command(4, session); // ABORT: the session closes with the direct receive still in the kernel
    await h.until(() => log.closes.length === 1, 'CLOSE');
    client.socket.on('error', () => {}); // the peer may see a reset
    client.socket.write(big.subarray(100_000));
    await client.waitClosed();
    await h.untilStats((s) => s.sessions === 0 && s.recvBuffersHeld === 0, 'the session freed');
    expect(log.frames.length).toBe(0);
    expect(log.eventsAfterClose).toBe(0);
  });

  it('the peer hangs up in the middle of a directly received frame: CLOSE, nothing leaks', async () => {
    const h = start({}, false);
    const { client, log } = await openSession(h);
    await client.write(frame(300, 1, pattern(MiB, 45)).subarray(0, 300_000));
    await h.untilStats((s) => s.uringRecvDirectBytes > 0, 'a direct receive');
    client.socket.end();
    await h.until(() => log.closes.length === 1, 'CLOSE');
    await h.untilStats((s) => s.sessions === 0 && s.recvBuffersHeld === 0, 'the session freed');
    expect(log.frames.length).toBe(0);
    client.destroy();
  });
});
