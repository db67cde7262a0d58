/**
 * An in-place encode (encodeInto, what Transport.sendEncoded uses) writes exactly what a plain encode writes
 * into the caller's buffer from its position, keeps the bytes before it, grows the buffer into a bigger copy
 * when needed, hands a message with a big top-level bytes field back as parts that do not point into the
 * caller's buffer, and leaves the shared writer as it was (later encodes unaffected, also after a throw).
 */
import { BinaryWriter, type BinaryReader } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { encodeIntoShared, encodeShared, type ProtoCodec } from '../../framework/packets/define-packet';
import { GATHER_FIELD_BYTES } from '../../framework/packets/gathering-writer';
import type { EncodeTarget } from '../../framework/transport/transport';
import { EchoRes } from '../../samples/echo/generated/packets';

interface Pair {
  id: number;
  blob: Uint8Array;
  score: number;
}

/** A varint, a bytes field, a nested message with a double (a DataView write), another varint. */
const pairCodec: ProtoCodec<Pair> = {
  encode(message: Pair, writer = new BinaryWriter()) {
    writer.uint32(8).uint32(message.id);
    writer.uint32(18).bytes(message.blob);
    writer.uint32(26).fork().uint32(9).double(message.score).join();
    writer.uint32(32).uint32(message.id + 1);
    return writer;
  },
  decode(_input: BinaryReader | Uint8Array): Pair {
    throw new Error('not used');
  },
  fromPartial(): Pair {
    throw new Error('not used');
  },
};

function targetOf(size: number, pos: number): EncodeTarget {
  const bytes = new Uint8Array(size).fill(0xaa);
  return { bytes, view: new DataView(bytes.buffer), pos };
}

describe('in-place encode', () => {
  it('writes a plain encode at the position, keeping the bytes before it', () => {
    const message: Pair = { id: 300, blob: new Uint8Array(50).fill(3), score: 1.5 };
    const plain = Buffer.from(encodeShared(pairCodec, message));
    // The shared writer writes bytes fields itself: byte for byte what the library's own writer writes.
    expect(plain.equals(pairCodec.encode(message, new BinaryWriter()).finish())).toBe(true);
    const target = targetOf(1024, 17);
    const before = target.bytes;
    expect(encodeIntoShared(pairCodec, message, target)).toBeUndefined();
    expect(target.bytes).toBe(before); // it fitted
    expect(target.pos).toBe(17 + plain.length);
    expect(Buffer.from(target.bytes.subarray(17, target.pos)).equals(plain)).toBe(true);
    expect(target.bytes.subarray(0, 17).every((b) => b === 0xaa)).toBe(true);
    // The shared writer has its own buffer back: a later plain encode is not written into the target.
    const snapshot = Buffer.from(target.bytes);
    encodeShared(pairCodec, { ...message, id: 7 });
    expect(Buffer.from(target.bytes).equals(snapshot)).toBe(true);
  });

  it('grows into a bigger copy that holds the bytes before the position, with a view of the new buffer', () => {
    const message: Pair = { id: 1, blob: new Uint8Array(3000).fill(9), score: -2 };
    const target = targetOf(64, 40);
    target.bytes.fill(0x11, 0, 40);
    expect(encodeIntoShared(pairCodec, message, target)).toBeUndefined();
    expect(target.bytes.length).toBeGreaterThanOrEqual(target.pos);
    expect(target.view.buffer).toBe(target.bytes.buffer);
    expect(target.bytes.subarray(0, 40).every((b) => b === 0x11)).toBe(true);
    const plain = Buffer.from(encodeShared(pairCodec, message));
    expect(Buffer.from(target.bytes.subarray(40, target.pos)).equals(plain)).toBe(true);
  });

  it('hands a message with a big top-level bytes field back as parts that do not point into the target', () => {
    const big = { data: Buffer.alloc(GATHER_FIELD_BYTES, 6) };
    const target = targetOf(256, 8);
    const parts = EchoRes.encodeInto!(big, target);
    expect(parts).toBeDefined();
    expect(parts!.some((part) => part === big.data)).toBe(true); // the field itself, uncopied
    for (const part of parts!) expect(part.buffer).not.toBe(target.bytes.buffer);
    target.bytes.fill(0); // the caller reuses its buffer: the parts keep the message
    expect(Buffer.concat(parts!).equals(Buffer.from(EchoRes.encode(big)))).toBe(true);
    expect(target.pos).toBe(8);
  });

  it('leaves the shared writer usable after an encode that throws, and the target as it was', () => {
    const throwing: ProtoCodec<Pair> = {
      ...pairCodec,
      encode(message, writer = new BinaryWriter()) {
        writer.uint32(18).bytes(message.blob);
        throw new Error('mid-message');
      },
    };
    const message: Pair = { id: 5, blob: new Uint8Array(20).fill(1), score: 0 };
    const target = targetOf(128, 4);
    expect(() => encodeIntoShared(throwing, message, target)).toThrow('mid-message');
    expect(target.pos).toBe(4);
    const again = targetOf(128, 0);
    expect(encodeIntoShared(pairCodec, message, again)).toBeUndefined();
    expect(
      Buffer.from(again.bytes.subarray(0, again.pos)).equals(Buffer.from(encodeShared(pairCodec, message))),
    ).toBe(true);
  });

  it('is what a generated type encodes into a target with (MessageType.encodeInto)', () => {
    const target = targetOf(64, 3);
    expect(EchoRes.encodeInto!({ data: Buffer.from('hello') }, target)).toBeUndefined();
    const payload = target.bytes.subarray(3, target.pos);
    expect(EchoRes.decode(payload).data.toString()).toBe('hello');
  });
});
