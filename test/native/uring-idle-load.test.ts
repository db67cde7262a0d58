/**
 * What io_uring buys, read from the counters: 5,000 idle connections hold no receive buffer (the kernel
 * picks a provided buffer only when bytes arrive), and under echo load the io_uring_enter calls per 1,000
 * frames stay far below 1,000 (batched submission and reaping).
 */
import { execSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';
import { EngineHarness } from './uring-harness';

const harnesses: EngineHarness[] = [];
const clients: RawClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const h of harnesses.splice(0)) h.shutdown();
});

/** 5,000 when the fd limit allows two descriptors per connection (client + server side), else fewer. */
function idleConnectionCount(): number {
  const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  return Number.isFinite(limit) ? Math.min(5000, Math.floor((limit - 200) / 2)) : 5000;
}

async function connectMany(port: number, count: number): Promise<RawClient[]> {
  const out: RawClient[] = [];
  for (let i = 0; i < count; i += 250) {
    const wave = await Promise.all(
      Array.from({ length: Math.min(250, count - i) }, () => RawClient.connect(port)),
    );
    out.push(...wave);
    clients.push(...wave);
  }
  return out;
}

describe('uring engine counters', () => {
  it('idle connections hold no receive buffer; only a partial frame does', async () => {
    const count = idleConnectionCount();
    expect(count).toBeGreaterThanOrEqual(1000);
    const h = new EngineHarness({ frameTimeoutMs: 0 });
    harnesses.push(h);
    const peers = await connectMany(h.listen(), count);
    await h.until(() => h.opened().length === count, `${count} OPEN events`, 30_000);
    let stats = h.stats();
    expect(stats.sessions).toBe(count);
    expect(stats.recvBuffersHeld).toBe(0);
    expect(stats.uringBufRingEmpty).toBe(0);

    // Half a frame from 10 of them: exactly those 10 hold their remainder, the rest still hold nothing.
    const whole = frame(120, 1, pattern(500, 3));
    await Promise.all(peers.slice(0, 10).map((p) => p.write(whole.subarray(0, 200))));
    await h.untilStats((s) => s.recvBuffersHeld === 10, '10 partial frames held');
    await Promise.all(peers.slice(0, 10).map((p) => p.write(whole.subarray(200))));
    await Promise.all(peers.slice(0, 10).map((p) => p.until(() => p.frames.length === 1, 'echo')));
    stats = h.stats();
    expect(stats.recvBuffersHeld).toBe(0);
    expect(stats.framesIn).toBe(10);
    console.log(`uring idle: ${count} connections, recvBuffersHeld ${stats.recvBuffersHeld}`);
  });

  for (const ioThreads of [0, 2]) {
    it(`echo load: io_uring_enter calls per 1,000 frames far below 1,000 (ioThreads ${ioThreads})`, async () => {
      const h = new EngineHarness({ ioThreads });
      harnesses.push(h);
      const peers = await connectMany(h.listen(), 50);
      const rounds = 20;
      const inFlight = 16;
      const burst = Buffer.concat(
        Array.from({ length: inFlight }, (_, i) => frame(100, i + 1, pattern(54, i))),
      );
      const before = h.stats();
      // Closed loop: each client keeps 16 frames in flight, 20 times over.
      await Promise.all(
        peers.map(async (p) => {
          for (let r = 1; r <= rounds; r++) {
            await p.write(burst);
            await p.until(() => p.frames.length >= r * inFlight, `round ${r}`);
          }
        }),
      );
      const after = h.stats();
      const frames = after.framesIn - before.framesIn + (after.framesOut - before.framesOut);
      expect(frames).toBe(2 * 50 * rounds * inFlight);
      const enters = after.uringEnter - before.uringEnter;
      const perThousand = (enters * 1000) / frames;
      console.log(
        `uring load (ioThreads ${ioThreads}): ${frames} frames in+out, ${enters} io_uring_enter = ` +
          `${perThousand.toFixed(1)} per 1,000 frames; syscalls ${after.syscalls - before.syscalls}`,
      );
      expect(perThousand).toBeLessThan(250);
    });
  }

  // One io_uring_enter runs at most 20 deferred completions (Linux 6.13+) and does not signal the eventfd
  // again for the rest: a pass that stopped there left the other sessions' bytes in the kernel until
  // unrelated traffic came (a pass per 20 sessions, and idle waits between them).
  it('bytes that reach 100 sessions at once go to JS in one pass (ioThreads 0)', async () => {
    const h = new EngineHarness({}, false);
    harnesses.push(h);
    const count = 100;
    const peers = await connectMany(h.listen(), count);
    await h.until(() => h.opened().length === count, `${count} OPEN events`);
    const before = h.stats();
    // One synchronous turn: every peer's frame is in the server's sockets before the engine looks.
    peers.forEach((p, i) => p.socket.write(frame(7, i + 1, pattern(1000, i))));
    await h.until(() => h.opened().every((s) => s.frames.length === 1), 'a frame on every session');
    const after = h.stats();
    expect(after.framesIn - before.framesIn).toBe(count);
    const batches = after.batches - before.batches;
    console.log(`uring: ${count} sessions' frames reached JS in ${batches} batch(es)`);
    expect(batches).toBeLessThanOrEqual(2); // was at least 5: 20 sessions per pass
  });
});
