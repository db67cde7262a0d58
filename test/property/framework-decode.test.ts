/**
 * Properties of the generated framework packets' safe decode (the server's first contact with untrusted
 * bytes: Hello, Ping): any bytes either decode or throw PayloadError (never another error, never a hang),
 * and every valid message round-trips. Wider decoder coverage lives in test/codegen/safe-decode.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Ack,
  Bye,
  ErrorMessage,
  Hello,
  Kick,
  Ping,
  Pong,
  Welcome,
} from '../../framework/protocol/framework-messages';
import { PayloadError } from '../../framework/protocol/message-type';

const packets = [Hello, Welcome, Ping, Pong, ErrorMessage, Kick, Ack, Bye] as const;
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const safeUint64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

describe('framework packet decode properties', () => {
  it.each(packets.map((p) => [p.name, p] as const))(
    '%s: any bytes decode or throw PayloadError',
    (_n, packet) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          try {
            packet.decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(PayloadError);
          }
        }),
        { numRuns: 1000 },
      );
    },
  );

  it('round-trips Hello, Ping and Error', () => {
    fc.assert(
      fc.property(
        uint32,
        uint32,
        safeUint64,
        fc.string(),
        fc.integer({ min: 0, max: 0xffff }),
        (a, b, t, s, id) => {
          const hello = Hello.create({ magic: a, protocolVersion: b, lastReceived: t });
          expect(Hello.decode(Hello.encode(hello))).toEqual(hello);
          expect(Ping.decode(Ping.encode({ timestampMs: t, nonce: a }))).toEqual({
            timestampMs: t,
            nonce: a,
          });
          const error = { code: s, message: s.repeat(2), messageId: id };
          expect(ErrorMessage.decode(ErrorMessage.encode(error))).toEqual(error);
        },
      ),
      { numRuns: 500 },
    );
  });
});
