/**
 * A response whose big bytes field is the request's own memory goes out uncopied by the encoder (gathered:
 * Transport.sendParts); the transport reads it before the reply call returns, so a handler that changes
 * those bytes right after its reply was sent (here in the next microtask) changes nothing the client gets.
 * A response too big to frame is refused with HANDLER_ERROR before any of it is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Handler } from '../../framework/handlers/decorators';
import { GATHER_FIELD_BYTES } from '../../framework/packets/gathering-writer';
import { SEND_PAYLOAD_BYTES_MIN } from '../../framework/transport/native-transport';
import { EchoReq, type EchoRes } from '../../samples/echo/generated/packets';
import * as echoMessages from '../../samples/echo/generated/packets';
import { type Harness, startServer } from './support/harness';
import { availableTransports } from './support/transports';

/** Below and above the gathering bound and the hand-over bound, up to a frame of nearly 1 MiB. */
const SIZES = [
  100,
  GATHER_FIELD_BYTES,
  SEND_PAYLOAD_BYTES_MIN - 20,
  SEND_PAYLOAD_BYTES_MIN,
  256 * 1024,
  1024 * 1024 - 64,
];

function payload(index: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (index * 7 + i * 13) & 0xff;
  return bytes;
}

@Controller()
class ScribblingController {
  @Handler(EchoReq, { public: true })
  echo(request: EchoReq): EchoRes {
    queueMicrotask(() => request.data.fill(0xee)); // after the reply went to the transport
    return { data: request.data };
  }
}

describe.each(availableTransports())('gathered replies on $engine', (transportCase) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startServer(transportCase, {
      messages: echoMessages,
      controllers: [ScribblingController],
      rooms: { types: {} },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('carry the bytes the field held when the reply was sent, at every size', async () => {
    const client = await harness.connect();
    const sent = SIZES.flatMap((size, i) => [payload(2 * i, size), payload(2 * i + 1, size)]);
    const answers = await Promise.all(
      sent.map((data) => client.request(EchoReq, { data: Buffer.from(data) })),
    );
    answers.forEach((answer, i) => expect(Buffer.compare(answer.data, sent[i]), `answer ${i}`).toBe(0));
  });
});

@Controller()
class OversizeController {
  /** Answers with a response of `data.length` KiB: past maxFrameBytes (1 MiB) for 1024 and more. */
  @Handler(EchoReq, { public: true })
  echo(request: EchoReq): EchoRes {
    return { data: Buffer.alloc(request.data.length * 1024, 1) };
  }
}

describe.each(availableTransports())('a reply above maxFrameBytes on $engine', (transportCase) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startServer(transportCase, {
      messages: echoMessages,
      controllers: [OversizeController],
      rooms: { types: {} },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('gets HANDLER_ERROR and sends nothing of it; the session goes on', async () => {
    const client = await harness.connect();
    const error = await client.request(EchoReq, { data: Buffer.alloc(1024) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HANDLER_ERROR', message: 'the response could not be encoded' });
    const answer = await client.request(EchoReq, { data: Buffer.alloc(3) });
    expect(answer.data.length).toBe(3 * 1024);
  });
});
