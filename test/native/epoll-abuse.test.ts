/**
 * Hostile clients against the epoll engine (raw binding): garbage bytes, bad lengths, stalled frames,
 * resets mid-frame. They never harm a well-behaved session; every session closes exactly once with the
 * right reason; no fd, receive buffer or send byte is left behind.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, CLOSE, command, type Event, FRAME, Harness, OPEN, wireFrame } from './epoll-harness';

const MAX_FRAME = 4096;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function header(length: number): Buffer {
  const h = Buffer.alloc(10);
  h.writeUInt32BE(length >>> 0, 0);
  h.writeUInt16BE(100, 4);
  return h;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.closed) resolve();
    else s.once('close', () => resolve());
  });
}

/** Collects whole frames the server sends to a client socket. */
function frameReader(s: Socket): { frames: Buffer[]; next(count: number): Promise<void> } {
  let pending = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let wake: (() => void) | undefined;
  s.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
      const len = pending.readUInt32BE(0);
      frames.push(pending.subarray(0, len));
      pending = pending.subarray(len);
    }
    wake?.();
  });
  s.on('error', () => undefined);
  return {
    frames,
    async next(count) {
      while (frames.length < count) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

describe.each([0, 2])('epoll engine under abuse (ioThreads: %i)', (ioThreads) => {
  let harness: Harness | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
    harness?.engine.shutdown();
    harness = undefined;
  });

  it('hostile clients never harm a good session; one CLOSE each with the right reason; nothing leaks', async () => {
    const fdsBefore = openFds();
    const h = (harness = new Harness(ioThreads, { maxFrameBytes: MAX_FRAME, frameTimeoutMs: 300 }));
    // Echo every frame back in the same turn.
    h.onBatch = (events: Event[]) => {
      const logs = events
        .filter((e) => e.type === FRAME)
        .map((e) => command(1, e.session, wireFrame(e.msgId, e.aux, e.payload)));
      if (logs.length > 0) {
        const log = Buffer.concat(logs);
        h.engine.submit(log, log.length);
      }
    };
    const { port } = h.engine.listen('127.0.0.1', 0, 128);
    const reasons = binding.closeReasons();

    // Each hostile client: what it writes, and the close reason the server must report.
    const hostile: { name: string; bytes: Buffer; reason: string; end?: 'destroy' }[] = [
      { name: 'length below 10', bytes: header(9), reason: 'frame_invalid' },
      { name: 'length 0', bytes: header(0), reason: 'frame_invalid' },
      { name: 'max + 1', bytes: header(MAX_FRAME + 1), reason: 'frame_too_large' },
      { name: '4 GiB announced', bytes: header(0xffffffff), reason: 'frame_too_large' },
      {
        name: 'half a frame, then silence',
        bytes: Buffer.concat([header(1000), noise(300, 7)]),
        reason: 'frame_timeout',
      },
      { name: 'three header bytes, then silence', bytes: header(50).subarray(0, 3), reason: 'frame_timeout' },
      {
        name: 'half a frame, then FIN',
        bytes: Buffer.concat([header(2000), noise(10, 9)]),
        reason: 'peer_closed',
        end: 'destroy',
      },
    ];
    for (let seed = 1; seed <= 8; seed++) {
      // Garbage: the first 4 bytes decide (too large / invalid / a frame that never completes).
      const bytes = noise(64, seed * 7919);
      const len = bytes.readUInt32BE(0);
      const reason = len < 10 ? 'frame_invalid' : len > MAX_FRAME ? 'frame_too_large' : 'frame_timeout';
      hostile.push({ name: `garbage ${seed}`, bytes, reason });
    }

    const good = await open(port);
    sockets.push(good);
    const goodReader = frameReader(good);
    const clients = await Promise.all(hostile.map(() => open(port)));
    sockets.push(...clients);
    clients.forEach((c, i) => {
      c.on('error', () => undefined);
      c.write(hostile[i].bytes);
      if (hostile[i].end === 'destroy') c.end();
    });

    // Meanwhile the good session keeps echoing, in order.
    const sent: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const f = wireFrame(200, i + 1, noise(i * 37, i + 100));
      sent.push(f);
      good.write(f);
      if (i % 10 === 0) await goodReader.next(sent.length);
    }
    await goodReader.next(sent.length);
    expect(goodReader.frames).toHaveLength(sent.length);
    goodReader.frames.forEach((f, i) => expect(f.equals(sent[i]), `echo ${i}`).toBe(true));

    // Hostile sessions all end with the expected reasons.
    await h.until(
      'every hostile CLOSE',
      () => h.events.filter((e) => e.type === CLOSE).length === hostile.length,
    );
    const opens = h.events.filter((e) => e.type === OPEN);
    expect(opens).toHaveLength(hostile.length + 1);
    const byRemote = new Map(clients.map((c, i) => [`127.0.0.1:${c.localPort}`, hostile[i]]));
    for (const o of opens) {
      const expected = byRemote.get(o.payload.toString());
      if (!expected) continue; // the good client
      const close = h.events.find((e) => e.type === CLOSE && e.session === o.session);
      expect([expected.name, close && reasons[close.reason]]).toEqual([expected.name, expected.reason]);
    }
    await Promise.all(clients.map(closed));

    // A reset in the middle of a big frame from the good client's twin.
    const resetter = await open(port);
    sockets.push(resetter);
    resetter.write(Buffer.concat([header(MAX_FRAME), noise(1000, 3)]));
    await h.poll('resetter mid-frame', () => (h.engine.stats().recvBuffersHeld ?? 0) > 0);
    resetter.resetAndDestroy();
    await h.until(
      'resetter CLOSE',
      () => h.events.filter((e) => e.type === CLOSE).length === hostile.length + 1,
    );

    good.end();
    await h.until('good CLOSE', () => h.events.filter((e) => e.type === CLOSE).length === hostile.length + 2);
    // Exactly one CLOSE per session, and it is each session's last event.
    for (const o of h.events.filter((e) => e.type === OPEN)) {
      const mine = h.events.filter((e) => e.session === o.session);
      expect(mine.filter((e) => e.type === CLOSE)).toHaveLength(1);
      expect(mine[mine.length - 1].type).toBe(CLOSE);
    }
    const stats = h.engine.stats();
    expect(stats).toMatchObject({ sessions: 0, recvBuffersHeld: 0, sendBytesPending: 0 });
    expect(stats.accepted).toBe(hostile.length + 2);
    h.engine.shutdown();
    harness = undefined;
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all([good, resetter].map(closed));
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);
  });
});
