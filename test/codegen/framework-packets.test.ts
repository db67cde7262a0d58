import { describe, expect, it } from 'vitest';
import {
  Ack,
  Bye,
  Error as ErrorPacket,
  Hello,
  Kick,
  Ping,
  Pong,
  Welcome,
  registry,
} from '../../framework/generated/packets';
import { PayloadError } from '../../framework/protocol/message-type';

describe('framework packets (proto/fastport/framework.proto)', () => {
  it('has the reserved ids and pairs Hello->Welcome, Ping->Pong', () => {
    expect([...registry.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 20]);
    expect(Hello.kind).toBe('request');
    expect(Hello.response).toBe(Welcome);
    expect(Ping.response).toBe(Pong);
    expect(Welcome.kind).toBe('response');
    expect(ErrorPacket.kind).toBe('message');
    expect(Kick.name).toBe('fastport.Kick');
    for (const [id, packet] of registry) expect(packet.id).toBe(id);
  });

  it('round-trips every framework message', () => {
    const hello = Hello.create({ magic: 0x46505254, protocolVersion: 1 });
    expect(Hello.decode(Hello.encode(hello))).toEqual(hello);
    const resumeHello = Hello.create({
      magic: 0x46505254,
      protocolVersion: 1,
      resumable: true,
      resumeToken: Buffer.alloc(24, 7),
      lastReceived: 2 ** 40,
    });
    expect(Hello.decode(Hello.encode(resumeHello))).toEqual(resumeHello);
    // A Hello of a client that knows nothing of resume decodes to the resume defaults.
    expect(Hello.decode(Hello.encode(hello))).toMatchObject({ resumable: false, lastReceived: 0 });
    expect(Hello.decode(Hello.encode(hello)).resumeToken.length).toBe(0);
    expect(Ack.decode(Ack.encode({ received: 12345 }))).toEqual({ received: 12345 });
    expect(Bye.encode({}).length).toBe(0);
    const welcome = Welcome.create({
      protocolVersion: 1,
      sessionId: 2 ** 40 + 3,
      heartbeatIntervalMs: 15000,
    });
    expect(Welcome.decode(Welcome.encode(welcome))).toEqual(welcome);
    const ping = Ping.create({ timestampMs: 1_764_000_000_000, nonce: 7 });
    expect(Pong.decode(Ping.encode(ping))).toEqual(ping);
    const error = ErrorPacket.create({ code: 'BAD_PAYLOAD', message: 'cannot decode', messageId: 100 });
    expect(ErrorPacket.decode(ErrorPacket.encode(error))).toEqual(error);
    expect(Kick.decode(Kick.encode({ reason: 'shutdown' }))).toEqual({ reason: 'shutdown' });
    expect(Kick.create()).toEqual({ reason: '' });
  });

  it('turns malformed bytes into PayloadError', () => {
    expect(() => Hello.decode(Uint8Array.of(0x08))).toThrow(PayloadError);
    expect(() => Hello.decode(Uint8Array.of(0x0b))).toThrow(/group/);
  });
});
