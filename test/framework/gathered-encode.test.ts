/**
 * A gathering encode (encodeGathered) leaves big top-level bytes fields out of the writer and returns the
 * message as parts that, back to back, are exactly what a plain encode writes; big fields inside nested
 * messages, small fields and messages without a big field are encoded as before.
 */
import { BinaryWriter, type BinaryReader } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { encodeGatheredShared, encodeShared, type ProtoCodec } from '../../framework/packets/define-packet';
import { GATHER_FIELD_BYTES } from '../../framework/packets/gathering-writer';
import { EchoRes } from '../../samples/echo/generated/packets';

interface Blobs {
  id: number;
  head: Uint8Array;
  nested: Uint8Array;
  tail: Uint8Array;
}

/** A hand-written codec: a varint, a bytes field, a nested message with a bytes field, another bytes field. */
const blobsCodec: ProtoCodec<Blobs> = {
  encode(message: Blobs, writer = new BinaryWriter()) {
    writer.uint32(8).uint32(message.id);
    writer.uint32(18).bytes(message.head);
    writer.uint32(26).fork();
    writer.uint32(10).bytes(message.nested);
    writer.join();
    writer.uint32(34).bytes(message.tail);
    writer.uint32(40).uint32(message.id + 1);
    return writer;
  },
  decode(_input: BinaryReader | Uint8Array): Blobs {
    throw new Error('not used');
  },
  fromPartial(): Blobs {
    throw new Error('not used');
  },
};

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

function joined(encoded: Uint8Array | Uint8Array[]): Buffer {
  return Buffer.concat(encoded instanceof Uint8Array ? [encoded] : encoded);
}

describe('gathering encode', () => {
  it('references big top-level bytes fields and copies the rest, byte for byte what a plain encode writes', () => {
    const message: Blobs = {
      id: 300,
      head: filled(GATHER_FIELD_BYTES, 1),
      nested: filled(GATHER_FIELD_BYTES * 2, 2), // inside a fork: copied
      tail: filled(GATHER_FIELD_BYTES + 5, 3),
    };
    const plain = Buffer.from(encodeShared(blobsCodec, message));
    const parts = encodeGatheredShared(blobsCodec, message);
    expect(Array.isArray(parts)).toBe(true);
    const list = parts as Uint8Array[];
    expect(list).toHaveLength(5); // prefix, head, the nested message, tail, suffix
    expect(list[1]).toBe(message.head); // the field's own memory
    expect(list[3]).toBe(message.tail);
    expect(joined(list).equals(plain)).toBe(true);
  });

  it('returns one view when no field is big enough, and a later encode is not affected by an earlier one', () => {
    const small: Blobs = {
      id: 1,
      head: filled(10, 4),
      nested: filled(GATHER_FIELD_BYTES, 5),
      tail: filled(0, 0),
    };
    const one = encodeGatheredShared(blobsCodec, small);
    expect(one).toBeInstanceOf(Uint8Array);
    expect(joined(one).equals(Buffer.from(encodeShared(blobsCodec, small)))).toBe(true);

    const big = { data: Buffer.from(filled(GATHER_FIELD_BYTES, 6)) };
    const gathered = EchoRes.encodeGathered!(big);
    const expected = Buffer.from(EchoRes.encode(big));
    expect(joined(gathered).equals(expected)).toBe(true);
    expect(EchoRes.decode(joined(EchoRes.encodeGathered!({ data: Buffer.from('x') }))).data.toString()).toBe(
      'x',
    );
  });

  it('leaves the shared writer usable after an encode that throws', () => {
    const throwing: ProtoCodec<Blobs> = {
      ...blobsCodec,
      encode(message, writer = new BinaryWriter()) {
        writer.uint32(18).bytes(message.head);
        throw new Error('mid-message');
      },
    };
    const message = { id: 1, head: filled(GATHER_FIELD_BYTES, 7), nested: filled(1, 1), tail: filled(1, 1) };
    expect(() => encodeGatheredShared(throwing, message)).toThrow('mid-message');
    const after = encodeGatheredShared(blobsCodec, message);
    expect(joined(after).equals(Buffer.from(encodeShared(blobsCodec, message)))).toBe(true);
  });
});
