import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../framework/protocol/message-type';
import { FieldKind, linkWireTable, MAX_DEPTH, validateMessage, WireError } from '../../framework/packets';
import { LoginRes, Node, OldReq, registry } from './fixtures/game/golden/packets';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** A Node nested `levels` deep through field 1 (the top-level message counts as level 1). */
function nestedNodes(levels: number): Uint8Array {
  const reversed: number[] = []; // built back to front: linear in the output size
  for (let i = 1; i < levels; i++) {
    const prefix = [0x0a, ...varint(reversed.length)];
    for (let b = prefix.length - 1; b >= 0; b--) reversed.push(prefix[b]);
  }
  return Uint8Array.from(reversed.reverse());
}

/** Decodes with every packet; each must either succeed or throw PayloadError. */
function decodeEverywhere(bytes: Uint8Array): void {
  for (const packet of registry.values()) {
    try {
      packet.decode(bytes);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
    }
  }
}

const sample = LoginRes.encode(
  LoginRes.create({
    playerId: 42,
    serverTime: new Date(1_764_000_000_000),
    inventory: { 1: { name: 'shield', attrs: { def: 3 } } },
    scores: [1, -2, 300],
    profile: { displayName: 'Bo', level: 9 },
    weights: [1.5],
    flags: [7],
  }),
);

describe('safe decoding of untrusted payloads', () => {
  it('rejects truncated payloads with PayloadError (every cut inside a field)', () => {
    let rejected = 0;
    for (let cut = 0; cut < sample.length; cut++) {
      try {
        LoginRes.decode(sample.subarray(0, cut));
      } catch (err) {
        expect(err).toBeInstanceOf(PayloadError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(sample.length / 2);
    expect(() => LoginRes.decode(Uint8Array.of(0x10, 0x80))).toThrow(/truncated varint/);
  });

  it('rejects over-long varints and lengths past the end', () => {
    const elevenByteVarint = Uint8Array.of(0x10, ...Array(10).fill(0xff), 0x01);
    expect(() => LoginRes.decode(elevenByteVarint)).toThrow(PayloadError);
    expect(() => LoginRes.decode(elevenByteVarint)).toThrow(/longer than 10 bytes/);
    expect(() => LoginRes.decode(Uint8Array.of(0x32, 0x05, 0x01))).toThrow(/exceeds/);
    expect(() => LoginRes.decode(Uint8Array.of(0x32, 0xff, 0xff, 0xff, 0xff, 0x7f))).toThrow(PayloadError);
  });

  it('rejects malformed packed runs, bad wire types and field number 0', () => {
    expect(() => LoginRes.decode(Uint8Array.of(0x2a, 0x01, 0x80))).toThrow(/truncated varint/); // scores
    expect(() => LoginRes.decode(Uint8Array.of(0x42, 0x03, 1, 2, 3))).toThrow(/multiple of 4/); // flags
    expect(() => LoginRes.decode(Uint8Array.of(0x3a, 0x04, 0, 0, 0, 0))).toThrow(/multiple of 8/); // weights
    expect(() => LoginRes.decode(Uint8Array.of(0x0e))).toThrow(/invalid wire type 6/);
    expect(() => LoginRes.decode(Uint8Array.of(0x00, 0x00))).toThrow(/invalid field number 0/);
  });

  it('turns ts-proto decode failures into PayloadError too (uint64 above 2^53)', () => {
    const big = Uint8Array.of(0x10, ...varint(2 ** 53 + 2));
    expect(() => LoginRes.decode(big)).toThrow(PayloadError);
  });

  it(`accepts nesting up to ${MAX_DEPTH} levels and rejects deeper, fast even when huge`, () => {
    expect(Node.decode(nestedNodes(MAX_DEPTH)).child).toBeDefined();
    expect(() => Node.decode(nestedNodes(MAX_DEPTH + 1))).toThrow(/nesting deeper than 100/);
    const huge = nestedNodes(50_000);
    const started = performance.now();
    expect(() => Node.decode(huge)).toThrow(PayloadError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('counts map entries as nesting levels', () => {
    // Node.children (field 3) is map<string, Node>: entry (level +1) -> value field 2 (level +1).
    let inner: number[] = [];
    for (let i = 0; i < 60; i++) {
      const entry = [0x12, ...varint(inner.length), ...inner];
      inner = [0x1a, ...varint(entry.length), ...entry];
    }
    expect(() => Node.decode(Uint8Array.from(inner))).toThrow(/nesting deeper/);
  });

  it('rejects group wire types when the schema has no group', () => {
    expect(() => Node.decode(Uint8Array.of(0x0b, 0x0c))).toThrow(/unexpected group wire type for field 1/);
    expect(() => Node.decode(Uint8Array.of(0x93, 0x03, 0x94, 0x03))).toThrow(/group/); // unknown field 50
    expect(() => Node.decode(Uint8Array.of(0x0c))).toThrow(/unexpected end-group/);
  });

  it('accepts group wire types where the schema declares a group (proto2 fixture)', () => {
    const name = [0x0a, 0x01, 0x6e]; // required name = "n"
    expect(OldReq.decode(Uint8Array.of(...name, 0x4b, 0x50, 0x05, 0x4c)).extra).toEqual({ bonus: 5 });
    expect(() => OldReq.decode(Uint8Array.of(...name, 0x4b, 0x50, 0x05))).toThrow(/group 9 not closed/);
    expect(() => OldReq.decode(Uint8Array.of(...name, 0x4b, 0x54))).toThrow(
      /unexpected end-group tag for field 10/,
    );
    expect(() => OldReq.decode(Uint8Array.of(...name, 0x0b, 0x0c))).toThrow(
      /unexpected group wire type for field 1/,
    );
  });

  it('validates a hand-written group table', () => {
    const [outer] = linkWireTable([[[1, FieldKind.Group, 1]], [[2, FieldKind.Message, 1]]]);
    validateMessage(Uint8Array.of(0x0b, 0x08, 0x05, 0x0c), outer); // group 1 { field 1 varint } end
    expect(() => validateMessage(Uint8Array.of(0x0b, 0x08, 0x05), outer)).toThrow(/not closed/);
    expect(() => validateMessage(Uint8Array.of(0x0b, 0x14), outer)).toThrow(WireError); // end of field 2
  });

  it('never throws anything but PayloadError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        decodeEverywhere(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but PayloadError on mutated valid payloads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = Uint8Array.from(sample);
          for (const [at, value] of edits) bytes[at] = value;
          decodeEverywhere(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
