/**
 * The memory of decoded bytes fields (framework/packets/field-bytes.ts): views of owned input, views of one
 * copy of a borrowed input per decode (in a small slab or the slab), copies of their own for big inputs;
 * the generated fallback for readers that are not the framework's.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_COPIED_INPUT_BYTES,
  MAX_SLAB_FIELD_BYTES,
  pooledCopy,
  SLAB_BYTES,
  SMALL_SLAB_BYTES,
} from '../../framework/packets/field-bytes';
import { LoginReq } from './fixtures/game/golden/packets';
import { LoginReq as LoginReqCodec } from './fixtures/game/golden/game/login';

/** The input bytes of a LoginReq whose token is `size` bytes of `fill`. */
function loginWithToken(size: number, fill: number): Uint8Array {
  return LoginReq.encode(LoginReq.create({ user: 'ann', token: Buffer.alloc(size, fill) })).slice();
}

const SIZES = [1, 4095, 4096, MAX_SLAB_FIELD_BYTES, MAX_SLAB_FIELD_BYTES + 1, 100_000];

describe('decoded bytes fields', () => {
  it.each(SIZES)(
    'of borrowed input are copies (%i bytes): later writes into the input do not reach them',
    (size) => {
      const input = loginWithToken(size, 7);
      const { token } = LoginReq.decode(input);
      input.fill(0);
      expect(Buffer.isBuffer(token)).toBe(true);
      expect(token.equals(Buffer.alloc(size, 7))).toBe(true);
    },
  );

  it.each(SIZES)('of owned input are views of it (%i bytes)', (size) => {
    const input = loginWithToken(size, 9);
    const { token } = LoginReq.decode(input, true);
    expect(Buffer.isBuffer(token)).toBe(true);
    expect(token.buffer).toBe(input.buffer);
    expect(token.equals(Buffer.alloc(size, 9))).toBe(true);
  });

  it('carved from slabs never overlap: every kept field keeps its bytes across several slabs', () => {
    const perSlab = Math.floor(SLAB_BYTES / 5000);
    const fields = Array.from({ length: 3 * perSlab + 1 }, (_, i) => pooledCopy(Buffer.alloc(5000, i)));
    fields.forEach((field, i) => expect(field.equals(Buffer.alloc(5000, i)), `field ${i}`).toBe(true));
    expect(fields[0].buffer.byteLength).toBe(SLAB_BYTES);
    expect(fields[0].buffer).toBe(fields[1].buffer);
    expect(fields[0].buffer).not.toBe(fields[fields.length - 1].buffer);
  });

  it('take a Buffer of their own above the slab bound, and a small slab below 512 B', () => {
    const big = pooledCopy(Buffer.alloc(MAX_SLAB_FIELD_BYTES + 1, 3));
    expect(big.buffer.byteLength).toBe(MAX_SLAB_FIELD_BYTES + 1);
    expect(pooledCopy(Buffer.alloc(100, 1)).buffer.byteLength).toBe(SMALL_SLAB_BYTES);
    expect(pooledCopy(Buffer.alloc(1000, 1)).buffer.byteLength).toBe(SLAB_BYTES);
  });

  it.each([
    [100, SMALL_SLAB_BYTES],
    [1000, SLAB_BYTES],
    [5000, SLAB_BYTES],
    [MAX_COPIED_INPUT_BYTES + 1, MAX_COPIED_INPUT_BYTES + 1],
  ])(
    'of a borrowed %i-byte field lie in memory of %i bytes (a copy of the input, or their own)',
    (size, memory) => {
      const input = loginWithToken(size, 4);
      const { token } = LoginReq.decode(input);
      expect(token.buffer.byteLength).toBe(memory);
      expect(token.equals(Buffer.alloc(size, 4))).toBe(true);
    },
  );

  it('of many borrowed decodes kept across several slabs keep their bytes (copies never overlap)', () => {
    const input = loginWithToken(200, 0);
    const tokens = Array.from({ length: Math.ceil((3 * SMALL_SLAB_BYTES) / 200) }, (_, i) => {
      input.fill(i & 0xff, input.length - 200); // the token is the input's last 200 bytes
      return LoginReq.decode(input).token;
    });
    input.fill(0);
    tokens.forEach((token, i) => expect(token.equals(Buffer.alloc(200, i & 0xff)), `token ${i}`).toBe(true));
    expect(new Set(tokens.map((token) => token.buffer)).size).toBeGreaterThanOrEqual(3);
  });

  it('decoded by the generated codec without the shared reader are copies', () => {
    const input = loginWithToken(5000, 5);
    const { token } = LoginReqCodec.decode(input);
    input.fill(0);
    expect(token.buffer).not.toBe(input.buffer);
    expect(token.equals(Buffer.alloc(5000, 5))).toBe(true);
  });
});
