import { afterEach, describe, expect, it } from 'vitest';
import { Actor } from '../../framework/actors/actor';
import type { GameClient, RequestError } from '../../framework/client/game-client';
import { type Harness, startServer } from './support/harness';
import { EchoReq, WaitReq } from './support/messages';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('graceful shutdown on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('answers every accepted request before closing, refuses new ones with SHUTTING_DOWN', async () => {
    harness = await startServer(transportCase, { limits: { shutdownTimeoutMs: 5000 } });
    const clients: GameClient[] = await Promise.all(Array.from({ length: 5 }, () => harness!.connect()));
    const gate = `shutdown-${transportCase.engine}`;
    const inFlight = clients.flatMap((client, i) => [
      client.request(WaitReq, { gate }),
      client.request(EchoReq, { text: `c${i}-a`, delayMs: 2 }),
      client.request(EchoReq, { text: `c${i}-b`, delayMs: 0 }),
    ]);
    await expect.poll(() => harness!.gates.waiting(gate)).toBe(5);
    const closes = clients.map((client) => client.whenClosed());
    const stopped = harness.server.stop();
    const late = await clients[0].request(EchoReq, { text: 'late', delayMs: 0 }).catch((e: unknown) => e);
    expect((late as RequestError).code).toBe('SHUTTING_DOWN');
    harness.gates.open(gate);
    const answers = await Promise.all(inFlight);
    expect(answers.filter((a) => 'text' in a).map((a) => (a as { text: string }).text)).toEqual(
      clients.flatMap((_, i) => [`c${i}-a`, `c${i}-b`]),
    );
    await stopped;
    expect(await Promise.all(closes)).toEqual(clients.map(() => 'peer_closed'));
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(clients.map(() => 'shutdown'));
    expect(clients.map((c) => c.kickReason)).toEqual(clients.map(() => 'shutdown'));
    await expect(harness.connect()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('closes anyway at the shutdown deadline', async () => {
    harness = await startServer(transportCase, { limits: { shutdownTimeoutMs: 200 } });
    const client = await harness.connect();
    const stuck = client.request(WaitReq, { gate: 'never' }).catch((e: unknown) => e);
    await expect.poll(() => harness!.gates.waiting('never')).toBe(1);
    const started = Date.now();
    await harness.server.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(((await stuck) as RequestError).code).toBe('CLOSED');
  });

  it('stops actors too, and does not wait past the deadline for a stuck one', async () => {
    harness = await startServer(transportCase, { limits: { shutdownTimeoutMs: 200 } });
    const stops: string[] = [];
    class Stuck extends Actor<'hang', void> {
      receive(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    class Calm extends Actor<'ping', string> {
      receive(): string {
        return 'pong';
      }
      override onStop(): void {
        stops.push('calm');
      }
    }
    const stuck = harness.server.actors.spawn('stuck', () => new Stuck());
    const calm = harness.server.actors.spawn('calm', () => new Calm());
    stuck.tell('hang');
    expect(await calm.ask('ping')).toBe('pong');
    const started = Date.now();
    await harness.server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stops).toEqual(['calm']);
    expect(calm.stopped && stuck.stopped).toBe(true);
  });
});
