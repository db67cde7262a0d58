/**
 * A flood against a slow JS side: the engine bounds what it buffers for JS. Inline, one pass stops reading
 * once its batch holds 8 MiB (the other sockets wait in the kernel, and TCP flow control slows the peers);
 * with I/O threads, loops stop reading while more than 32 MiB of batches wait for the JS thread.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME, Harness } from './epoll-harness';

const MiB = 1024 * 1024;
const CLIENTS = 24;
const FRAME_BYTES = 16 * 1024;

function floodFrames(count: number): Buffer {
  const one = Buffer.alloc(FRAME_BYTES, 0x5a);
  one.writeUInt32BE(FRAME_BYTES, 0);
  one.writeUInt16BE(100, 4);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

describe.each([
  [0, 8 * MiB + 1 * MiB + FRAME_BYTES],
  [2, 32 * MiB + 2 * (8 * MiB + 1 * MiB + FRAME_BYTES)],
])('epoll engine under a flood (ioThreads: %i)', (ioThreads, maxBatch) => {
  let harness: Harness | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
    harness?.engine.shutdown();
    harness = undefined;
  });

  it(`never hands JS a batch above ${Math.round(maxBatch / MiB)} MiB while JS is slow`, async () => {
    const lengths: number[] = [];
    let frames = 0;
    const h = (harness = new Harness(ioThreads, { maxConnections: 100 }));
    h.onBatch = (events) => {
      lengths.push(events.reduce((sum, e) => sum + 16 + ((e.payload.length + 3) & ~3), 0));
      frames += events.filter((e) => e.type === FRAME).length;
      // A slow JS side: the kernel buffers fill up meanwhile.
      const until = Date.now() + 40;
      while (Date.now() < until);
    };
    const { port } = h.engine.listen('127.0.0.1', 0, 128);
    const chunk = floodFrames(64); // 1 MiB per write
    for (let i = 0; i < CLIENTS; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      const pump = (): void => {
        while (!s.destroyed && s.write(chunk));
      };
      s.on('connect', pump);
      s.on('drain', pump);
      sockets.push(s);
    }
    await h.poll('60 MiB of frames through the slow side', () => frames * FRAME_BYTES > 60 * MiB, 30_000);
    console.log('largest batch', Math.max(...lengths), 'batches', lengths.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(maxBatch);
    expect(h.engine.stats().framesIn).toBeGreaterThanOrEqual(frames);
  });
});
