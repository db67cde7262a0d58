import { afterEach, describe, expect, it } from 'vitest';
import type { RequestError } from '../../framework/client/game-client';
import { type Harness, startServer } from './support/harness';
import { EchoReq, WaitReq } from './support/messages';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('session mailbox bounds on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  function spyReading(h: Harness): string[] {
    const calls: string[] = [];
    const transport = h.server.transport;
    const pause = transport.pauseReading.bind(transport);
    const resume = transport.resumeReading.bind(transport);
    transport.pauseReading = (session) => {
      calls.push('pause');
      pause(session);
    };
    transport.resumeReading = (session) => {
      calls.push('resume');
      resume(session);
    };
    return calls;
  }

  it('pauses reading when the mailbox is full, resumes below half, and loses nothing', async () => {
    harness = await startServer(transportCase, { limits: { mailboxCapacity: 16, mailboxOverflowMs: 5000 } });
    const calls = spyReading(harness);
    const client = await harness.connect();
    const gate = `drain-${transportCase.engine}`;
    const blocked = client.request(WaitReq, { gate });
    const echoes = Array.from({ length: 100 }, (_, i) =>
      client.request(EchoReq, { text: String(i), delayMs: 0 }),
    );
    await expect.poll(() => calls).toContain('pause');
    harness.gates.open(gate);
    await blocked;
    const answers = await Promise.all(echoes);
    expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    expect(answers.map((a) => a.order)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(calls[0]).toBe('pause');
    expect(calls).toContain('resume');
    expect(calls.filter((c) => c === 'pause').length).toBe(calls.filter((c) => c === 'resume').length);
    expect(harness.serverCloses).toEqual([]);
  });

  it('closes mailbox_overflow when the mailbox stays full past the deadline', async () => {
    harness = await startServer(transportCase, { limits: { mailboxCapacity: 8, mailboxOverflowMs: 150 } });
    const client = await harness.connect();
    const blocked = client.request(WaitReq, { gate: 'never' }).catch((e: unknown) => e);
    const echoes = Array.from({ length: 30 }, (_, i) =>
      client.request(EchoReq, { text: String(i), delayMs: 0 }).catch((e: unknown) => e),
    );
    const started = Date.now();
    expect(await client.whenClosed()).toBe('peer_closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['mailbox_overflow']);
    expect(((await blocked) as RequestError).code).toBe('CLOSED');
    for (const echo of await Promise.all(echoes)) expect((echo as RequestError).code).toBe('CLOSED');
  });
});
