/**
 * A hand-written PayloadEncoder for transport tests: a message is { length, value } and encodes as `length`
 * bytes of `value` (growing the target as the contract says), or, with `asParts`, is handed back as two
 * parts; `throws` makes it write a little and then throw.
 */
import type { EncodeTarget, PayloadEncoder } from '../../../framework/transport/transport';

export interface Fill {
  length: number;
  value: number;
  asParts?: boolean;
  throws?: boolean;
}

function filled(message: Fill): Uint8Array {
  return new Uint8Array(message.length).fill(message.value);
}

function writeInto(target: EncodeTarget, bytes: Uint8Array): void {
  const end = target.pos + bytes.length;
  if (end > target.bytes.length) {
    const grown = new Uint8Array(Math.max(end, 2 * target.bytes.length));
    grown.set(target.bytes.subarray(0, target.pos));
    target.bytes = grown;
    target.view = new DataView(grown.buffer);
  }
  target.bytes.set(bytes, target.pos);
  target.pos = end;
}

export const fillEncoder: PayloadEncoder<Fill> = {
  encodeInto(message, target) {
    if (message.throws) {
      target.bytes[target.pos] = 0xee; // written past the end, never committed
      throw new Error('the encoder failed');
    }
    if (message.asParts) {
      const half = message.length >> 1;
      return [filled({ ...message, length: half }), filled({ ...message, length: message.length - half })];
    }
    writeInto(target, filled(message));
    return undefined;
  },
  encodeForSend(message) {
    if (message.throws) throw new Error('the encoder failed');
    return message.asParts ? [filled(message)] : filled(message);
  },
};
