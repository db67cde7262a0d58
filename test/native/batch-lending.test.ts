/**
 * Event batches of 128 KiB or more in one part are lent to JS (addon/engine_wrap.h kLendBatchBytes): an
 * external ArrayBuffer over the driver's own batch memory, detached when the call returns, so a view JS kept
 * past its call is empty instead of showing bytes the driver reuses. Smaller batches are copied into one
 * reused ArrayBuffer. Either way every frame arrives whole and in order.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, FRAME, parseBatch, type RawEngine, wireFrame } from './epoll-harness';

const KiB = 1024;
const LEND_BYTES = 128 * KiB;
const PAYLOAD_BYTES = 1000;
const FRAMES = 4000; // ~4 MiB: several big batches while JS is slow
const SLOW_CALL_MS = 20;

interface Call {
  batch: ArrayBuffer;
  length: number;
  byteLengthDuring: number;
}

/** Frame `seq`'s payload: every byte is seq's low byte, so a frame read from reused memory shows. */
function payloadOf(seq: number): Buffer {
  return Buffer.alloc(PAYLOAD_BYTES, seq & 0xff);
}

const uringSkip = binding.engines().includes('uring') ? binding.probeUring() : 'not compiled into the addon';
const rows = [
  { engine: 'epoll', ioThreads: 0, lends: true },
  { engine: 'uring', ioThreads: 0, lends: true },
  // Threaded: a delivery of one queued batch is lent, several are copied into one buffer.
  { engine: 'epoll', ioThreads: 1, lends: false },
];

describe.each(rows)(
  '$engine engine, ioThreads $ioThreads: batches handed to JS',
  ({ engine, ioThreads, lends }) => {
    let native: RawEngine | undefined;
    let socket: Socket | undefined;
    afterEach(() => {
      socket?.destroy();
      native?.shutdown();
      native = socket = undefined;
    });

    it.skipIf(engine === 'uring' && uringSkip !== '')(
      'carry every frame whole and in order; big lent batches are detached after their call',
      async () => {
        const calls: Call[] = [];
        const seqs: number[] = [];
        const corrupt: number[] = [];
        native = new binding.Engine(
          { engine, ioThreads, maxFrameBytes: 1 << 20, maxConnections: 10 },
          (batch, length) => {
            calls.push({ batch, length, byteLengthDuring: batch.byteLength });
            for (const e of parseBatch(batch, length)) {
              if (e.type !== FRAME) continue;
              seqs.push(e.aux);
              if (!e.payload.equals(payloadOf(e.aux))) corrupt.push(e.aux);
            }
            // A slow JS side: the socket buffers fill meanwhile, so the next pass reads a big batch.
            const until = Date.now() + SLOW_CALL_MS;
            while (Date.now() < until);
          },
        );
        const { port } = native.listen('127.0.0.1', 0, 16);
        const frames = Buffer.concat(
          Array.from({ length: FRAMES }, (_, i) => wireFrame(100, i + 1, payloadOf(i + 1))),
        );
        socket = connect(port, '127.0.0.1', () => socket!.write(frames));
        socket.on('error', () => undefined);
        await expect.poll(() => seqs.length, { timeout: 30_000 }).toBe(FRAMES);

        expect(corrupt).toEqual([]);
        expect(seqs).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
        const big = calls.filter((c) => c.length >= LEND_BYTES);
        expect(big.length).toBeGreaterThan(0);
        if (lends) {
          // Lent: JS saw exactly the batch's bytes, and nothing of them once the call returned.
          for (const c of big) expect([c.byteLengthDuring, c.batch.byteLength]).toEqual([c.length, 0]);
        }
        // Copied (the reused buffer): still attached after the call.
        for (const c of calls.filter((c) => c.length < LEND_BYTES))
          expect(c.batch.byteLength).toBeGreaterThan(0);
      },
    );
  },
);

describe.each([0, 1])('epoll engine, ioThreads %i: shutdown from inside a big batch', (ioThreads) => {
  let socket: Socket | undefined;
  afterEach(() => {
    socket?.destroy();
    socket = undefined;
  });

  it('leaves the batch being read intact (the last events go out in a call of their own)', async () => {
    const seqs: number[] = [];
    const corrupt: number[] = [];
    let stopped = false;
    let nestedCalls = 0;
    let delivering = false;
    const native: RawEngine = new binding.Engine(
      { engine: 'epoll', ioThreads, maxFrameBytes: 1 << 20, maxConnections: 10 },
      (batch, length) => {
        if (delivering) nestedCalls++;
        if (stopped || delivering) return;
        if (length < LEND_BYTES) {
          const until = Date.now() + SLOW_CALL_MS; // let the socket buffer fill
          while (Date.now() < until);
          return;
        }
        delivering = true;
        native.shutdown(); // delivers the CLOSE events in a nested call
        delivering = false;
        stopped = true;
        for (const e of parseBatch(batch, length)) {
          if (e.type !== FRAME) continue;
          seqs.push(e.aux);
          if (!e.payload.equals(payloadOf(e.aux))) corrupt.push(e.aux);
        }
      },
    );
    const { port } = native.listen('127.0.0.1', 0, 16);
    const frames = Buffer.concat(
      Array.from({ length: FRAMES }, (_, i) => wireFrame(100, i + 1, payloadOf(i + 1))),
    );
    socket = connect(port, '127.0.0.1', () => socket!.write(frames));
    socket.on('error', () => undefined);
    await expect.poll(() => stopped, { timeout: 30_000 }).toBe(true);
    expect(nestedCalls).toBeGreaterThan(0);
    expect(seqs.length).toBeGreaterThan(0);
    expect(corrupt).toEqual([]);
  });
});
