import { afterEach, describe, expect, it } from 'vitest';
import { GameClient, RequestError } from '../../framework/client/game-client';
import { type Harness, startServer } from './support/harness';
import { EchoReq, LoginReq, Said, WaitReq } from './support/messages';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('GameClient on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('runs on a transport of this engine and times out requests with TIMEOUT', async () => {
    harness = await startServer(transportCase);
    const transport = transportCase.create();
    const client = await GameClient.connect({ port: harness.port, transport, requestTimeoutMs: 100 });
    const gate = `timeout-${transportCase.engine}`;
    const error = await client.request(WaitReq, { gate }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'TIMEOUT', messageId: WaitReq.id });
    harness.gates.open(gate); // the late WaitRes finds no pending request and is dropped
    expect(await client.request(EchoReq, { text: 'ok', delayMs: 0 }, { timeoutMs: 5000 })).toMatchObject({
      text: 'ok',
    });
    await client.close();
    await transport.shutdown();
  });

  it('receives pushes with on() until unsubscribed, and the Kick reason before a kick close', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    const session = harness.server.session(client.sessionId)!;
    const seen: string[] = [];
    const off = client.on(Said, (said) => seen.push(said.text));
    session.push(Said, { from: 0, text: 'one' });
    await expect.poll(() => seen).toEqual(['one']);
    off();
    session.push(Said, { from: 0, text: 'two' });
    session.kick('replaced by a newer login');
    expect(await client.whenClosed()).toBe('peer_closed');
    expect(client.kickReason).toBe('replaced by a newer login');
    expect(seen).toEqual(['one']);
    expect(harness.serverCloses.map((c) => c.reason)).toEqual(['kicked']);
  });

  it('fails to connect with CLOSED when nobody listens, and reconnects with backoff', async () => {
    harness = await startServer(transportCase);
    const { port } = harness;
    await expect(GameClient.connect({ port: 1, connectTimeoutMs: 1000 })).rejects.toMatchObject({
      code: 'CLOSED',
    });
    const client = await harness.connect();
    const firstId = client.sessionId;
    await client.request(LoginReq, { name: 'x' });
    const pending = client.request(WaitReq, { gate: 'never' }).catch((e: unknown) => e);
    await client.reconnect({ retries: 3, delayMs: 10 });
    expect(((await pending) as RequestError).code).toBe('CLOSED');
    expect(client.connected).toBe(true);
    expect(client.sessionId).not.toBe(firstId);
    expect(await client.request(EchoReq, { text: 'back', delayMs: 0 })).toMatchObject({ text: 'back' });
    expect(port).toBe(harness.port);
  });

  it('reports a throwing push listener and an undecodable push via onError, and keeps working', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    const session = harness.server.session(client.sessionId)!;
    const errors: string[] = [];
    client.onError((error) => errors.push(`${error.code} ${error.messageId}`));
    client.on(Said, () => {
      throw new Error('listener bug');
    });
    session.push(Said, { from: 0, text: 'x' });
    harness.server.transport.send(session.id, Said.id, 0, new TextEncoder().encode('{broken'));
    await expect.poll(() => errors).toEqual([`LISTENER_ERROR ${Said.id}`, `BAD_PAYLOAD ${Said.id}`]);
    expect(await client.request(EchoReq, { text: 'fine', delayMs: 0 })).toMatchObject({ text: 'fine' });
  });

  it('creates and shuts down a transport of its own from the engine option', async () => {
    harness = await startServer(transportCase);
    const client = await GameClient.connect({ port: harness.port, engine: transportCase.engine });
    expect(await client.request(EchoReq, { text: transportCase.engine, delayMs: 0 })).toMatchObject({
      text: transportCase.engine,
    });
    await client.close();
    expect(client.connected).toBe(false);
    expect(client.closeReason).toBe('client_close');
  });
});
