/**
 * A handler may keep a decoded bytes field: it stays intact while later frames arrive (the transport reuses
 * its receive batch), at every size (Node's pool, the framework's slab, a Buffer of its own, a view of a big
 * frame the engine handed over) and whether the frame was handled at once or waited in the mailbox (then
 * copied once and decoded as the frame's own bytes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Handler } from '../../framework/handlers/decorators';
import { EchoReq, type EchoRes } from '../../samples/echo/generated/packets';
import * as echoMessages from '../../samples/echo/generated/packets';
import { type Harness, startServer } from './support/harness';
import { availableTransports } from './support/transports';

/** Sizes around every bound of field-bytes.ts: Node's pool (4 KiB), the slab's largest field, big frames. */
const SIZES = [10, 4095, 4096, 5000, 16 * 1024, 16 * 1024 + 1, 40 * 1024, 100 * 1024];

/** Payload `index`: its index in the first four bytes, then a pattern of its own. */
function payload(index: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 4; i < size; i++) bytes[i] = (index * 31 + i) & 0xff;
  bytes.writeUInt32BE(index, 0);
  return bytes;
}

/** Every request's data, as the handler received (and kept) it. */
const kept: Buffer[] = [];

@Controller()
class KeepingController {
  /** Odd indexes answer a tick later, so the frames behind them wait in the mailbox. */
  @Handler(EchoReq, { public: true })
  echo(request: EchoReq): EchoRes | Promise<EchoRes> {
    kept.push(request.data);
    const answer = { data: request.data };
    if (request.data.readUInt32BE(0) % 2 === 0) return answer;
    return new Promise((resolve) => setImmediate(() => resolve(answer)));
  }
}

describe.each(availableTransports())('kept bytes fields on $engine', (transportCase) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startServer(transportCase, {
      messages: echoMessages,
      controllers: [KeepingController],
      rooms: { types: {} },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('stay intact while later frames arrive, handled at once or after waiting', async () => {
    kept.length = 0;
    const client = await harness.connect();
    const sent = Array.from({ length: 4 * SIZES.length }, (_, i) => payload(i, SIZES[i % SIZES.length]));
    const answers = await Promise.all(sent.map((data) => client.request(EchoReq, { data })));
    answers.forEach((answer, i) => expect(Buffer.compare(answer.data, sent[i]), `answer ${i}`).toBe(0));
    expect(kept).toHaveLength(sent.length);
    for (const data of kept) {
      const index = data.readUInt32BE(0);
      expect(Buffer.compare(data, sent[index]), `kept field ${index}`).toBe(0);
    }
  });
});
