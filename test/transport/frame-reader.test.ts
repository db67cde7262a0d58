/** FrameReader (node transport framing): any segmentation yields the same frames; limits; pause mid-chunk. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../framework/transport/frame-reader';
import { frame } from './helpers/raw-client';

function collect(max: number): { reader: FrameReader; frames: [number, number, string][]; errors: string[] } {
  const frames: [number, number, string][] = [];
  const errors: string[] = [];
  const reader = new FrameReader(max, {
    frame: (msgId, seq, payload) => {
      frames.push([msgId, seq, Buffer.from(payload).toString('hex')]);
      return true;
    },
    error: (reason) => errors.push(reason),
  });
  return { reader, frames, errors };
}

describe('FrameReader', () => {
  it('reassembles frames whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 300 })), {
          maxLength: 20,
        }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
        (specs, cuts) => {
          const stream = Buffer.concat(specs.map(([id, p], i) => frame(id, i, p)));
          const { reader, frames, errors } = collect(1024);
          for (let at = 0, k = 0; at < stream.length; k++) {
            const size = cuts[k % cuts.length];
            reader.push(stream.subarray(at, at + size));
            at += size;
          }
          expect(errors).toEqual([]);
          expect(frames).toEqual(specs.map(([id, p], i) => [id, i, Buffer.from(p).toString('hex')]));
          expect(reader.inProgress).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a length above the limit from the first 4 bytes and below 10', () => {
    const big = collect(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101, 0);
    big.reader.push(header.subarray(0, 2));
    expect(big.errors).toEqual([]);
    big.reader.push(header.subarray(2));
    expect(big.errors).toEqual(['frame_too_large']);
    const small = collect(100);
    header.writeUInt32BE(9, 0);
    small.reader.push(header);
    expect(small.errors).toEqual(['frame_invalid']);
  });

  it('keeps the rest of a chunk when the sink pauses, and continues from it', () => {
    const seen: number[] = [];
    let paused = true;
    const reader = new FrameReader(100, {
      frame: (_id, seq) => {
        seen.push(seq);
        return !paused;
      },
      error: () => undefined,
    });
    reader.push(
      Buffer.concat([
        frame(1, 1, Buffer.alloc(3)),
        frame(1, 2, Buffer.alloc(0)),
        frame(1, 3, Buffer.alloc(1)),
      ]),
    );
    expect(seen).toEqual([1]);
    expect(reader.hasStash).toBe(true);
    paused = false;
    expect(reader.drainStash()).toBe(true);
    expect(seen).toEqual([1, 2, 3]);
  });
});
