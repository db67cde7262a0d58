/**
 * Frames split across many socket reads arrive whole and exact on every engine: big ones (32 KiB+, detached)
 * whose rest epoll reads straight into the payload block JS then owns, and small ones assembled in the
 * parser. Each piece is written only after the engine counted the previous one in (stats().bytesIn), so
 * every frame really is parsed across reads: cut inside the header, inside the payload, and at its end.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, FRAME, parseBatch, type RawEngine, wireFrame } from './epoll-harness';

const KiB = 1024;
const DETACHED_FROM = 32 * KiB;
const SIZES = [5000, 40 * KiB, 64 * KiB, 200_000, 1024 * KiB - 10];

/** Frame `seq`'s payload: bytes depend on position and seq, so a shifted or stale byte shows. */
function payloadOf(seq: number, bytes: number): Buffer {
  const p = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) p[i] = (i * 7 + seq * 13 + (i >> 8)) & 0xff;
  return p;
}

const uringSkip = binding.engines().includes('uring') ? binding.probeUring() : 'not compiled into the addon';
const rows = [
  { engine: 'epoll', ioThreads: 0 },
  { engine: 'epoll', ioThreads: 1 },
  { engine: 'uring', ioThreads: 0 },
];

describe.each(rows)(
  '$engine engine, ioThreads $ioThreads: frames split across reads',
  ({ engine, ioThreads }) => {
    let native: RawEngine | undefined;
    let socket: Socket | undefined;
    afterEach(() => {
      socket?.destroy();
      native?.shutdown();
      native = socket = undefined;
    });

    it.skipIf(engine === 'uring' && uringSkip !== '')(
      `arrive whole and exact${engine === 'uring' && uringSkip ? ` (skipped: ${uringSkip})` : ''}`,
      async () => {
        const got: { seq: number; payload: Buffer; detached: boolean }[] = [];
        native = new binding.Engine(
          { engine, ioThreads, maxFrameBytes: 1 << 20, maxConnections: 10 },
          (batch, length, detached) => {
            let next = 0;
            for (const e of parseBatch(batch, length)) {
              if (e.type !== FRAME) continue;
              const owned = e.reason === 1 ? detached?.[next++] : undefined;
              got.push({ seq: e.aux, payload: owned ? Buffer.from(owned) : e.payload, detached: !!owned });
            }
          },
        );
        const engineRef = native;
        const { port } = native.listen('127.0.0.1', 0, 16);
        socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket!.once('connect', resolve));

        let written = 0;
        for (const [i, bytes] of SIZES.entries()) {
          const frame = wireFrame(100, i + 1, payloadOf(i + 1, bytes));
          const cuts = [0, 6, 10, 3000, Math.floor(frame.length / 2), frame.length - 1, frame.length].sort(
            (a, b) => a - b,
          );
          for (let c = 1; c < cuts.length; c++) {
            socket.write(frame.subarray(cuts[c - 1], cuts[c]));
            written += cuts[c] - cuts[c - 1];
            await expect.poll(() => engineRef.stats().bytesIn, { timeout: 10_000 }).toBe(written);
          }
        }
        await expect.poll(() => got.length, { timeout: 10_000 }).toBe(SIZES.length);

        expect(got.map((f) => f.seq)).toEqual(SIZES.map((_, i) => i + 1));
        for (const [i, bytes] of SIZES.entries()) {
          expect(got[i].detached).toBe(bytes >= DETACHED_FROM);
          expect(got[i].payload.equals(payloadOf(i + 1, bytes))).toBe(true);
        }
        expect(native.stats().recvBuffersHeld).toBe(0);
      },
    );
  },
);
