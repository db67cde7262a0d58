import { FieldKind, type MessageRules } from './wire-schema';

/** Deepest accepted message nesting, the top-level message counting as 1 (protobuf C++/Java's default). */
export const MAX_DEPTH = 100;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;
const MAX_FIELD_NUMBER = 0x1fffffff;

/** Thrown for any malformed input; the caller turns it into a PayloadError. */
export class WireError extends Error {}

/**
 * Checks that `bytes[start, end)` is a well-formed encoding of a message with `rules`, without building
 * anything: every tag and varint complete and at most 10 bytes, every length within bounds, nested
 * messages valid up to MAX_DEPTH, group wire types only for group fields, packed runs whole.
 * Linear in the input; recursion bounded by MAX_DEPTH.
 */
export function validateMessage(bytes: Uint8Array, rules: MessageRules): void {
  const end = validateFields(bytes, 0, bytes.length, rules, 1, -1);
  if (end !== bytes.length) throw new WireError('trailing bytes');
}

/** Reads a varint at `pos`; returns the position after it. Values themselves are not needed. */
function skipVarint(bytes: Uint8Array, pos: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError('truncated varint');
    if ((bytes[pos++] & 0x80) === 0) return pos;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** Where the last readVarint32 stopped: an out value read right after the call (no tuple per tag). */
let afterVarint = 0;

/** Reads a varint that must fit in 32 bits unsigned (tags, lengths); its end goes to `afterVarint`. */
function readVarint32(bytes: Uint8Array, pos: number, end: number): number {
  let value = 0;
  // A running factor, not 2 ** shift: V8 calls its C pow() for `**` with a variable exponent.
  for (let i = 0, factor = 1; i < 5; i++, factor *= 128) {
    if (pos >= end) throw new WireError('truncated varint');
    const b = bytes[pos++];
    value += (b & 0x7f) * factor;
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) throw new WireError('varint too large for a tag or length');
      afterVarint = pos;
      return value;
    }
  }
  throw new WireError('varint too large for a tag or length');
}

function validatePacked(bytes: Uint8Array, start: number, end: number, kind: FieldKind): void {
  const length = end - start;
  if (kind === FieldKind.PackedFixed32 && length % 4 !== 0)
    throw new WireError('packed fixed32 run not a multiple of 4');
  if (kind === FieldKind.PackedFixed64 && length % 8 !== 0)
    throw new WireError('packed fixed64 run not a multiple of 8');
  if (kind === FieldKind.PackedVarint) for (let pos = start; pos < end;) pos = skipVarint(bytes, pos, end);
}

/**
 * Validates fields from `pos` to `end`. Inside a group (`groupField` >= 0) it stops at the matching
 * end-group tag and returns the position after it; otherwise it returns `end`.
 */
function validateFields(
  bytes: Uint8Array,
  pos: number,
  end: number,
  rules: MessageRules | undefined,
  depth: number,
  groupField: number,
): number {
  if (depth > MAX_DEPTH) throw new WireError(`nesting deeper than ${MAX_DEPTH}`);
  // Most messages list no field (no nested message, group or packed run): then no lookup per field.
  const fields = rules === undefined || rules.fields.size === 0 ? undefined : rules.fields;
  while (pos < end) {
    const tag = readVarint32(bytes, pos, end);
    pos = afterVarint;
    const wire = tag & 7;
    const field = tag >>> 3; // tag is below 2^32
    if (field === 0 || field > MAX_FIELD_NUMBER) throw new WireError(`invalid field number ${field}`);
    switch (wire) {
      case WIRE_VARINT:
        pos = skipVarint(bytes, pos, end);
        break;
      case WIRE_FIXED64:
        if (end - pos < 8) throw new WireError('truncated fixed64');
        pos += 8;
        break;
      case WIRE_FIXED32:
        if (end - pos < 4) throw new WireError('truncated fixed32');
        pos += 4;
        break;
      case WIRE_LEN: {
        const length = readVarint32(bytes, pos, end);
        pos = afterVarint;
        if (length > end - pos) throw new WireError(`length ${length} exceeds the ${end - pos} bytes left`);
        const stop = pos + length;
        const rule = fields?.get(field);
        if (rule?.kind === FieldKind.Message) validateFields(bytes, pos, stop, rule.message, depth + 1, -1);
        else if (rule) validatePacked(bytes, pos, stop, rule.kind);
        pos = stop;
        break;
      }
      case WIRE_START_GROUP: {
        const rule = fields?.get(field);
        if (rule?.kind !== FieldKind.Group)
          throw new WireError(`unexpected group wire type for field ${field}`);
        pos = validateFields(bytes, pos, end, rule.message, depth + 1, field);
        break;
      }
      case WIRE_END_GROUP:
        if (field !== groupField) throw new WireError(`unexpected end-group tag for field ${field}`);
        return pos;
      default:
        throw new WireError(`invalid wire type ${wire}`);
    }
  }
  if (groupField >= 0) throw new WireError(`group ${groupField} not closed`);
  return end;
}
