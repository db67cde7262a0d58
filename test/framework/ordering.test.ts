import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { type Harness, startServer } from './support/harness';
import { EchoReq, Note, NotesReq, WaitReq } from './support/messages';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('session actor ordering on $engine', (transportCase) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startServer(transportCase);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('handles one session’s messages one at a time in arrival order, across awaits (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delayMs: fc.integer({ min: 0, max: 4 }), oneWay: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (steps) => {
          const client = await harness.connect();
          const replies: Promise<{ order: number }>[] = [];
          steps.forEach((step, index) => {
            if (step.oneWay) client.send(Note, { n: index, delayMs: step.delayMs });
            else replies.push(client.request(EchoReq, { text: String(index), delayMs: step.delayMs }));
          });
          const { notes } = await client.request(NotesReq, {}); // fails with OVERLAP if two ran at once
          const orders = (await Promise.all(replies)).map((r) => r.order);
          // Every message got a position in the order it was sent.
          const expectedOrders = steps.flatMap((step, index) => (step.oneWay ? [] : [index + 1]));
          expect(orders).toEqual(expectedOrders);
          expect(notes).toEqual(steps.flatMap((step, index) => (step.oneWay ? [index] : [])));
          await client.close();
        },
      ),
      { numRuns: 15 },
    );
  });

  it('runs sessions concurrently: a blocked session does not hold up others', async () => {
    const blocked = await harness.connect();
    const others: GameClient[] = await Promise.all([harness.connect(), harness.connect(), harness.connect()]);
    const gate = `concurrency-${transportCase.engine}`;
    const waiting = blocked.request(WaitReq, { gate });
    const queuedBehind = blocked.request(EchoReq, { text: 'after the gate', delayMs: 0 });
    await expect.poll(() => harness.gates.waiting(gate)).toBe(1);
    const answers = await Promise.all(
      others.map((c, i) => c.request(EchoReq, { text: `o${i}`, delayMs: 5 })),
    );
    expect(answers.map((a) => a.text)).toEqual(['o0', 'o1', 'o2']);
    let behindDone = false;
    void queuedBehind.then(() => (behindDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(behindDone).toBe(false); // still behind the blocked message in its own mailbox
    harness.gates.open(gate);
    expect(await waiting).toEqual({ gate });
    expect((await queuedBehind).order).toBe(1);
  });
});
