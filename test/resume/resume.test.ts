import { afterEach, describe, expect, it } from 'vitest';
import { GameClient, type GameClientOptions } from '../../framework/client/game-client';
import type { ReconnectEvent } from '../../framework/resume/client-resume';
import type { Session } from '../../framework/server/session';
import { type Harness, startServer } from '../framework/support/harness';
import { EchoReq, type EchoRes, JoinReq, LoginReq, Said, Say } from '../framework/support/messages';
import { availableTransports } from '../framework/support/transports';
import { createTransport } from '../../framework/transport/create-transport';
import { CuttingProxy } from './support/cutting-proxy';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const quickRetries = { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 200 };

/** The client reported its session lost for `reason` and went on with a fresh one. */
async function expectLostToFreshSession(events: ReconnectEvent[], reason: string): Promise<void> {
  await expect
    .poll(() => events.find((e) => e.type === 'lost'), { timeout: 10_000 })
    .toEqual({ type: 'lost', reason, fresh: true });
}

/** How the resuming client reaches the server through the proxy: one contract, both client transports. */
const wires = [
  { wire: 'TCP', options: (port: number): Partial<GameClientOptions> => ({ port }) },
  {
    wire: 'WebSocket',
    options: (port: number): Partial<GameClientOptions> => ({ url: `ws://127.0.0.1:${port}/` }),
  },
];
/** Every engine inline, and the native ones on 2 I/O threads too (sessions sharded across them). */
const drivers = availableTransports().flatMap((transportCase) => {
  const inline = { mode: 'inline', transportCase };
  if (transportCase.engine === 'node') return [inline];
  const create = () => createTransport({ engine: transportCase.engine, ioThreads: 2, warn: () => undefined });
  return [inline, { mode: 'ioThreads 2', transportCase: { engine: transportCase.engine, create } }];
});
const cases = drivers.flatMap((driver) =>
  wires.map((wire) => ({ ...wire, ...driver, engine: driver.transportCase.engine })),
);

describe.each(cases)('session resume on $engine ($mode) over $wire', ({ transportCase, options: reach }) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  async function setUp(
    limits: Record<string, unknown> = {},
  ): Promise<{ harness: Harness; proxy: CuttingProxy }> {
    const harness = await startServer(transportCase, { limits: { rateLimit: false, ...limits } });
    cleanup.push(() => harness.close());
    const proxy = await CuttingProxy.start(harness.port);
    cleanup.push(() => proxy.close());
    return { harness, proxy };
  }

  async function resumingClient(
    port: number,
    options: Partial<GameClientOptions> = {},
  ): Promise<{ client: GameClient; events: ReconnectEvent[] }> {
    const client = await GameClient.connect({ ...reach(port), resume: quickRetries, ...options });
    cleanup.push(() => client.close());
    const events: ReconnectEvent[] = [];
    client.onReconnect((event) => events.push(event));
    return { client, events };
  }

  it('an RST in a burst of pushes and requests: every push arrives once and in order, every request runs once', async () => {
    const { harness, proxy } = await setUp({ resumeReplayFrames: 100_000, resumeReplayBytes: 64 << 20 });
    const { client, events } = await resumingClient(proxy.port);
    await client.request(LoginReq, { name: 'ada' });
    const session = harness.server.session(client.sessionId)!;
    const pushes: number[] = [];
    client.on(Said, (said) => pushes.push(Number(said.text)));

    const PUSHES = 3000;
    let pushed = 0;
    const pushing = new Promise<void>((resolve) => {
      const turn = (): void => {
        for (let i = 0; i < 50 && pushed < PUSHES; i++)
          session.push(Said, { from: 0, text: String(++pushed) });
        if (pushed === PUSHES) resolve();
        else setImmediate(turn);
      };
      turn();
    });
    const answers: Promise<EchoRes>[] = [];
    let answered = 0;
    // 1 ms each, one at a time: when the cut comes most of these wait in the session's mailbox, and the
    // client re-sends them after the resume.
    for (let i = 1; i <= 150; i++)
      answers.push(client.request(EchoReq, { text: `r${i}`, delayMs: 1 }).finally(() => answered++));
    await expect.poll(() => pushes.length > 300 && answered >= 10).toBe(true);
    expect(answered).toBeLessThan(150);
    proxy.resetAll(); // mid-burst: pushes, requests and their answers in flight are lost on the wire
    for (let i = 151; i <= 300; i++) answers.push(client.request(EchoReq, { text: `r${i}`, delayMs: 0 }));

    const results = await Promise.all(answers);
    await pushing;
    await expect.poll(() => pushes.length, { timeout: 10_000 }).toBe(PUSHES);
    expect(pushes).toEqual(range(PUSHES));
    expect(results.map((r) => r.text)).toEqual(range(300).map((i) => `r${i}`));
    // The handler numbers every EchoReq it runs: 1..300 with none missing means none ran twice.
    expect(results.map((r) => r.order).sort((a, b) => a - b)).toEqual(range(300));
    expect(events.map((e) => e.type)).toContain('resumed');
    expect(events.map((e) => e.type)).not.toContain('lost');
    expect(harness.server.session(client.sessionId)).toBe(session);
    expect(session.authenticated).toBe(true);
    expect(proxy.connections).toBeGreaterThan(1);
  });

  it('keeps an away member in its rooms and replays the room broadcasts it missed', async () => {
    const { harness, proxy } = await setUp();
    const { client: ada, events } = await resumingClient(proxy.port);
    const bob = await harness.connect();
    await ada.request(LoginReq, { name: 'ada' });
    await bob.request(LoginReq, { name: 'bob' });
    await ada.request(JoinReq, { room: 'lobby' });
    expect(await bob.request(JoinReq, { room: 'lobby' })).toEqual({ members: 2 });
    const session = harness.server.session(ada.sessionId)!;
    const inLobby = (): boolean => harness.server.rooms.roomOf(session, 'test')?.id === 'lobby';
    const hooks: string[] = [];
    harness.server.onSessionDrop((s, reason) => hooks.push(`drop ${s.id} ${reason}`));
    harness.server.onSessionResume((s) => hooks.push(`resume ${s.id}`));
    const heard: string[] = [];
    ada.on(Said, (said) => heard.push(said.text));
    const closes: boolean[] = [];
    ada.onClose(() => closes.push(ada.isReconnecting)); // a drop that will be resumed says so at once

    proxy.refuse = true;
    proxy.resetAll();
    await expect.poll(() => session.away).toBe(true);
    expect(inLobby()).toBe(true);
    for (const text of ['while', 'you', 'were', 'away']) bob.send(Say, { room: 'lobby', text });
    await expect
      .poll(() => bob.request(EchoReq, { text: 'sync', delayMs: 0 }).then(() => heard.length))
      .toBe(0);
    proxy.refuse = false;

    await expect.poll(() => events.some((e) => e.type === 'resumed'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => heard).toEqual(['while', 'you', 'were', 'away']);
    expect(session.away).toBe(false);
    expect(closes[0]).toBe(true);
    expect(hooks[0]).toMatch(new RegExp(`^drop ${session.id} (reset|peer_closed|io_error)$`));
    expect(hooks.slice(1)).toEqual([`resume ${session.id}`]);
    ada.send(Say, { room: 'lobby', text: 'back' });
    const bobHeard: string[] = [];
    bob.on(Said, (said) => bobHeard.push(said.text));
    await expect.poll(() => bobHeard).toEqual(['back']);
  });

  it('ends the session when the window passes: onSessionLeave, out of its rooms, the client told RESUME_EXPIRED', async () => {
    const { harness, proxy } = await setUp({ resumeWindowMs: 300 });
    const { client, events } = await resumingClient(proxy.port);
    await client.request(LoginReq, { name: 'ada' });
    await client.request(JoinReq, { room: 'lobby' });
    const session = harness.server.session(client.sessionId)!;
    expect(harness.server.rooms.roomOf(session, 'test')?.id).toBe('lobby');
    const hooks: string[] = [];
    harness.server.onSessionLeave((s) => hooks.push(`leave ${s.id}`));
    harness.server.onSessionClose((s) => hooks.push(`close ${s.id}`));
    proxy.refuse = true;
    proxy.resetAll();
    await expect.poll(() => hooks, { timeout: 5000 }).toEqual([`leave ${session.id}`, `close ${session.id}`]);
    expect(harness.server.rooms.roomOf(session, 'test')).toBeUndefined();
    expect(session.closed).toBe(true);
    proxy.refuse = false;

    await expectLostToFreshSession(events, 'RESUME_EXPIRED');
    expect(client.connected).toBe(true);
    expect(client.sessionId).not.toBe(session.id);
    await expect(client.request(JoinReq, { room: 'lobby' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await client.request(LoginReq, { name: 'ada' }); // logs in again on the fresh session
    expect(await client.request(JoinReq, { room: 'lobby' })).toEqual({ members: 1 });
  });

  it('ends an away session whose replay bound is exceeded, and tells the client RESUME_OVERFLOW', async () => {
    const { harness, proxy } = await setUp({ resumeReplayFrames: 8 });
    const { client, events } = await resumingClient(proxy.port);
    await client.request(LoginReq, { name: 'ada' });
    const session = harness.server.session(client.sessionId)!;
    const left: string[] = [];
    harness.server.onSessionLeave((s) => left.push(String(s.id)));
    proxy.refuse = true;
    proxy.resetAll();
    await expect.poll(() => session.away).toBe(true);
    for (let i = 0; i < 8; i++) session.push(Said, { from: 0, text: `${i}` });
    expect(session.closed).toBe(false); // 8 frames still fit
    session.push(Said, { from: 0, text: 'one too many' });
    await expect.poll(() => left).toEqual([String(session.id)]);
    expect(session.closed).toBe(true);
    proxy.refuse = false;
    await expectLostToFreshSession(events, 'RESUME_OVERFLOW');
  });

  it('a server restart: the new server does not know the session, the client is told and logs in again', async () => {
    const { harness, proxy } = await setUp();
    const { client, events } = await resumingClient(proxy.port);
    await client.request(LoginReq, { name: 'ada' });
    const firstId = client.sessionId;
    const restarted = await startServer(transportCase);
    cleanup.push(() => restarted.close());
    proxy.target = restarted.port; // the address now leads to a new server process
    proxy.resetAll(); // and the old one vanished without a word
    await expectLostToFreshSession(events, 'RESUME_UNKNOWN');
    expect(client.connected).toBe(true);
    expect(restarted.server.session(client.sessionId)).toBeDefined();
    expect(await client.request(LoginReq, { name: 'ada' })).toMatchObject({ name: 'ada' });
    expect(harness.server.session(firstId)?.away).toBe(true); // the old server still keeps it (until its window)

    // A graceful stop sends Kick "shutdown": the session is over, the client says so and does not retry.
    await restarted.server.stop();
    await expect.poll(() => events.filter((e) => e.type === 'lost').length).toBe(2);
    expect(events.at(-1)).toEqual({ type: 'lost', reason: 'shutdown', fresh: false });
    expect(client.connected).toBe(false);
    expect(client.isReconnecting).toBe(false);
  });

  it('client.close() ends a resumable session at once (Bye): no away time, its token gets RESUME_ENDED', async () => {
    const { harness, proxy } = await setUp();
    const { client, events } = await resumingClient(proxy.port);
    await client.request(LoginReq, { name: 'ada' });
    await client.request(JoinReq, { room: 'lobby' });
    const session = harness.server.session(client.sessionId)!;
    const hooks: string[] = [];
    harness.server.onSessionDrop((s) => hooks.push(`drop ${s.id}`));
    harness.server.onSessionClose((s, reason) => hooks.push(`close ${s.id} ${reason}`));
    await client.close();
    await expect.poll(() => hooks).toEqual([`close ${session.id} peer_closed`]);
    expect(harness.server.rooms.roomOf(session, 'test')).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('rejects requests made while reconnecting once the session is known lost, and queues a bounded number', async () => {
    const { harness, proxy } = await setUp({ resumeWindowMs: 200 });
    const { client, events } = await resumingClient(proxy.port, {
      resume: { ...quickRetries, queueLimit: 2 },
    });
    await client.request(LoginReq, { name: 'ada' });
    const session: Session<unknown> = harness.server.session(client.sessionId)!;
    proxy.refuse = true;
    proxy.resetAll();
    await expect.poll(() => client.isReconnecting).toBe(true);
    const queued = [1, 2].map((i) =>
      client.request(EchoReq, { text: `q${i}`, delayMs: 0 }).catch((e: unknown) => e),
    );
    await expect(client.request(EchoReq, { text: 'q3', delayMs: 0 })).rejects.toMatchObject({
      code: 'QUEUE_FULL',
    });
    await expect.poll(() => session.closed, { timeout: 5000 }).toBe(true);
    proxy.refuse = false;
    for (const result of await Promise.all(queued)) expect(result).toMatchObject({ code: 'SESSION_LOST' });
    expect(events.find((e) => e.type === 'lost')).toMatchObject({ reason: 'RESUME_EXPIRED', fresh: true });
  });
});
