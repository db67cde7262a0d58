/**
 * Properties of the JS framer (framework/transport/frame-reader.ts): any split of a byte stream into chunks,
 * with or without the sink pausing (stash + drain), yields the frames and the error of a one-pass reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, type FrameError } from '../../framework/transport/frame-reader';

interface Frame {
  msgId: number;
  seq: number;
  payload: number[];
}

const MAX = 300;

/** The reference: whole frames in order; the first bad length ends the stream with its error. */
function reference(bytes: Buffer, maxFrameBytes: number): { frames: Frame[]; error?: FrameError } {
  const frames: Frame[] = [];
  for (let at = 0; bytes.length - at >= 4;) {
    const length = bytes.readUInt32BE(at);
    if (length < 10) return { frames, error: 'frame_invalid' };
    if (length > maxFrameBytes) return { frames, error: 'frame_too_large' };
    if (bytes.length - at < length) break;
    frames.push({
      msgId: bytes.readUInt16BE(at + 4),
      seq: bytes.readUInt32BE(at + 6),
      payload: [...bytes.subarray(at + 10, at + length)],
    });
    at += length;
  }
  return { frames };
}

/** A stream of frames, some with a bad length (below 10 or above MAX), plus optional trailing garbage. */
const frameBytes = fc
  .record({
    msgId: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 80 }),
    badLength: fc.option(
      fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: MAX + 1, max: 0xffffffff })),
      {
        freq: 12,
      },
    ),
  })
  .map(({ msgId, seq, payload, badLength }) => {
    const out = Buffer.alloc(10 + payload.length);
    out.writeUInt32BE(badLength ?? out.length, 0);
    out.writeUInt16BE(msgId, 4);
    out.writeUInt32BE(seq, 6);
    out.set(payload, 10);
    return out;
  });
const stream = fc
  .tuple(fc.array(frameBytes, { maxLength: 12 }), fc.uint8Array({ maxLength: 12 }))
  .map(([frames, tail]) => Buffer.concat([...frames, Buffer.from(tail)]));

/** Cut points turned into chunks covering the whole stream. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(Buffer.from(bytes.subarray(from, p))); // a copy: the reader must not keep views past a call
    from = p;
  }
  return chunks;
}

/** Feeds chunks; when `pauseEvery` > 0 the sink pauses after that many frames and the test drains the stash. */
function feed(chunks: Buffer[], pauseEvery: number): { frames: Frame[]; error?: FrameError; holds: boolean } {
  const frames: Frame[] = [];
  let error: FrameError | undefined;
  let paused = false;
  const reader = new FrameReader(MAX, {
    frame(msgId, seq, payload) {
      frames.push({ msgId, seq, payload: [...payload] });
      if (pauseEvery > 0 && frames.length % pauseEvery === 0) paused = true;
      return !paused;
    },
    error(reason) {
      error = reason;
    },
  });
  for (const chunk of chunks) {
    if (error) break;
    if (paused || reader.hasStash) reader.keep(chunk);
    else reader.push(chunk);
    while (paused && !error) {
      paused = false;
      reader.drainStash();
    }
  }
  return { frames, error, holds: reader.holdsBuffer };
}

describe('FrameReader properties', () => {
  it('any split of a stream yields the reference frames and error', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 40 }), (bytes, cuts) => {
        const want = reference(bytes, MAX);
        const got = feed(split(bytes, cuts), 0);
        expect(got.frames).toEqual(want.frames);
        expect(got.error).toBe(want.error);
      }),
      { numRuns: 500 },
    );
  });

  it('pausing the sink (stash, then drain) keeps every frame in order', () => {
    fc.assert(
      fc.property(
        stream,
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        (bytes, cuts, every) => {
          const want = reference(bytes, MAX);
          const got = feed(split(bytes, cuts), every);
          expect(got.frames).toEqual(want.frames);
          expect(got.error).toBe(want.error);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds no buffer after a stream of whole, valid frames', () => {
    const valid = fc
      .array(frameBytes, { maxLength: 10 })
      .map((frames) => Buffer.concat(frames.filter((f) => f.readUInt32BE(0) === f.length)));
    fc.assert(
      fc.property(valid, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        expect(feed(split(bytes, cuts), 0).holds).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
