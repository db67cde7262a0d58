import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../framework/protocol/message-type';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { definePacket } from '../../framework/packets';
import { readerFor } from '../../framework/packets/shared-reader';
import { LoginReq, LoginRes } from './fixtures/game/golden/packets';

const login = LoginReq.create({
  user: 'ann',
  token: Buffer.from([9, 8, 7]),
  platform: { $case: 'spawnHint', value: { x: 1.5, y: -2.25, z: 1024 } },
});
const result = LoginRes.create({ playerId: 7, weights: [0.5, -3e200], flags: [1, 0xfffffffe] });

/** `parts` copied one after another into one buffer, returned as views at their (odd) offsets. */
function viewsInOneBuffer(parts: Uint8Array[]): Uint8Array[] {
  const buffer = new Uint8Array(3 + parts.reduce((sum, p) => sum + p.length + 1, 0));
  let at = 3;
  return parts.map((part) => {
    buffer.set(part, at);
    const view = buffer.subarray(at, at + part.length);
    at += part.length + 1;
    return view;
  });
}

describe('the shared reader of every decode', () => {
  it('reads float, double and fixed32 fields of views at any offset of one buffer, in any order', () => {
    const [a, b, c] = viewsInOneBuffer([
      LoginReq.encode(login),
      LoginRes.encode(result),
      LoginReq.encode(login),
    ]);
    expect(LoginReq.decode(a)).toEqual(login);
    expect(LoginRes.decode(b)).toEqual(result);
    expect(LoginReq.decode(c)).toEqual(login);
  });

  it('starts clean after a decode that failed half-way', () => {
    const bytes = LoginRes.encode(result);
    expect(() => LoginRes.decode(bytes.subarray(0, bytes.length - 3))).toThrow(PayloadError);
    expect(LoginRes.decode(bytes)).toEqual(result);
  });

  it('gives a decoded bytes field its own copy: later writes into the input do not reach it', () => {
    const input = LoginReq.encode(login).slice();
    const decoded = LoginReq.decode(input);
    input.fill(0);
    expect(decoded.token).toEqual(Buffer.from([9, 8, 7]));
    expect(LoginReq.decode(LoginReq.encode(LoginReq.create({ token: Buffer.alloc(0) }))).token.length).toBe(
      0,
    );
  });

  it('is one reader whose DataView follows the bytes it was last pointed at', () => {
    const first = readerFor(Uint8Array.from([0, 0, 0x80, 0x3f]));
    expect(first.float()).toBe(1);
    const second = readerFor(Uint8Array.from([0xff, 0, 0, 0, 0x40]).subarray(1));
    expect(second).toBe(first);
    expect(second.float()).toBe(2);
  });

  it('hands bytes to a decoder built on another copy of @bufbuild/protobuf (its instanceof fails on ours)', () => {
    class OtherCopysReader extends BinaryReader {}
    // What ts-proto generates, against a BinaryReader class that is not the framework's.
    const codec = {
      encode: () => ({ finish: () => new Uint8Array(0) }),
      decode(input: BinaryReader | Uint8Array): { n: number } {
        const reader = input instanceof OtherCopysReader ? input : new OtherCopysReader(input as Uint8Array);
        const message = { n: 0 };
        while (reader.pos < reader.len) {
          const tag = reader.uint32();
          if (tag === 8) message.n = reader.uint32();
          else reader.skip(tag & 7);
        }
        return message;
      },
      fromPartial: (o: never) => o,
    };
    const type = definePacket(900, 'test.N', 'message', codec as never, { fields: new Map() });
    expect(type.decode(Uint8Array.from([0x08, 0x2a]))).toEqual({ n: 42 });
  });
});
