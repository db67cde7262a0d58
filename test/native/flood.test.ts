/**
 * A flood against a slow JS side, one body over every Linux engine and driver mode: the engine bounds what
 * it buffers for JS. Inline, one pass stops reading once its batch holds 8 MiB (SessionCore::kPassBudgetBytes;
 * the other sockets wait in the kernel and TCP flow control slows the peers). With I/O threads, a loop stops
 * reading while more than 8 MiB of batches wait for, or are being handled by, the JS thread
 * (engine/read_ahead.h), and one JS call takes every batch queued since.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, FRAME, Harness } from './epoll-harness';

const KiB = 1024;
const MiB = 1024 * KiB;
const CLIENTS = 24;
const FRAME_BYTES = 16 * KiB;
const BUDGET = 8 * MiB; // the pass budget and the read-ahead bound: the same size in the code
// What one pass may add after its batch reached the budget: the read that crossed it (at most 256 KiB, epoll's
// read size; uring's buffers are smaller) completing a frame the parser held (< FRAME_BYTES), with 16-byte
// records instead of 10-byte headers (a few bytes per frame): one read plus two frames covers it.
const PASS_MARGIN = 256 * KiB + 2 * FRAME_BYTES;
const PASS_BOUND = BUDGET + PASS_MARGIN;
const IO_THREADS = 2;

function floodFrames(count: number): Buffer {
  const one = Buffer.alloc(FRAME_BYTES, 0x5a);
  one.writeUInt32BE(FRAME_BYTES, 0);
  one.writeUInt16BE(100, 4);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

const uringSkip = binding.engines().includes('uring') ? binding.probeUring() : 'not compiled into the addon';
const rows = ['epoll', 'uring'].flatMap((engine) => [
  // Inline: a JS call gets one pass's batch.
  { engine, ioThreads: 0, maxBatch: PASS_BOUND },
  // Threaded: up to the read-ahead bound queued (a loop checks it before each pass), plus one pass of each
  // loop that started just below it.
  { engine, ioThreads: IO_THREADS, maxBatch: BUDGET + IO_THREADS * PASS_BOUND },
]);

describe.each(rows)(
  '$engine engine under a flood (ioThreads: $ioThreads)',
  ({ engine, ioThreads, maxBatch }) => {
    let harness: Harness | undefined;
    const sockets: Socket[] = [];
    afterEach(() => {
      for (const s of sockets.splice(0)) s.destroy();
      harness?.engine.shutdown();
      harness = undefined;
    });

    it.skipIf(engine === 'uring' && uringSkip !== '')(
      `never hands JS a batch above ${(maxBatch / MiB).toFixed(2)} MiB while JS is slow`,
      async () => {
        const lengths: number[] = [];
        let frames = 0;
        const h = (harness = new Harness(ioThreads, { engine, maxConnections: 100 }));
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
        console.log(
          `${engine} ioThreads=${ioThreads}: largest batch`,
          Math.max(...lengths),
          'batches',
          lengths.length,
        );
        expect(Math.max(...lengths)).toBeLessThanOrEqual(maxBatch);
        expect(h.engine.stats().framesIn).toBeGreaterThanOrEqual(frames);
      },
    );
  },
);
