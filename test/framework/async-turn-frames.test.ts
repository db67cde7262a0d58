import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startServer } from './support/harness';
import { FailReq, LoginReq, WaitReq } from './support/messages';
import { availableTransports } from './support/transports';

// A turn that goes asynchronous answers with its own frame's seq (and, for an Error frame, its message id)
// however many frames of other sessions were handled in between.
describe.each(availableTransports())('frames of asynchronous turns on $engine', (transportCase) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startServer(transportCase);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers a turn that waited with its own seq after other sessions’ synchronous turns', async () => {
    const waiter = await harness.connect();
    const other = await harness.connect();
    const gate = `frame-reuse-${transportCase.engine}`;
    const waiting = waiter.request(WaitReq, { gate }); // the waiter's idle mailbox: handled at once, then waits
    await expect.poll(() => harness.gates.waiting(gate)).toBe(1);
    const names = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const logins = await Promise.all(names.map((name) => other.request(LoginReq, { name }))); // synchronous
    expect(logins.map((login) => login.name)).toEqual(names);
    harness.gates.open(gate);
    expect(await waiting).toEqual({ gate });
  });

  it('names the request that failed after an await while other sessions’ turns ran', async () => {
    const failing = await harness.connect();
    const other = await harness.connect();
    const failed = failing.request(FailReq, { mode: 'async' }); // throws a GameError after an await
    const logins = await Promise.all(
      Array.from({ length: 20 }, (_, i) => other.request(LoginReq, { name: `late${i}` })),
    );
    expect(logins).toHaveLength(20);
    await expect(failed).rejects.toMatchObject({ code: 'LATER', messageId: FailReq.id });
  });
});
