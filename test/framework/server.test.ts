import { afterEach, describe, expect, it } from 'vitest';
import { RequestError } from '../../framework/client/game-client';
import { ErrorMessage, Pong, Ping } from '../../framework/protocol/framework-messages';
import { type Harness, startServer } from './support/harness';
import { EchoReq, EchoRes, FailReq, JoinReq, LoginReq, Note, NotesReq, Orphan } from './support/messages';
import { RawConnection } from './support/raw-connection';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('GameServer requests on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('answers a request with the paired response carrying the request seq', async () => {
    harness = await startServer(transportCase);
    const raw = await RawConnection.open(harness.port);
    raw.hello();
    await raw.frame(2); // Welcome
    raw.send(EchoReq.id, 777, EchoReq.encode({ text: 'hi', delayMs: 0 }));
    const frame = await raw.frame(EchoRes.id);
    expect(frame.seq).toBe(777);
    expect(EchoRes.decode(frame.payload)).toEqual({ text: 'hi', order: 1 });
    await raw.shutdown();
  });

  it('gives the client typed responses and answers Ping with Pong', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    expect(client.sessionId).toBeGreaterThan(0);
    const res = await client.request(LoginReq, { name: 'ada' });
    expect(res).toEqual({ userId: client.sessionId, name: 'ada' });
    const pong = await client.request(Ping, { timestampMs: 1234, nonce: 9 });
    expect(pong).toEqual({ timestampMs: 1234, nonce: 9 });
    expect(Pong.id).toBe(4);
  });

  it('turns handler errors into Error frames and keeps the session', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    await expect(client.request(FailReq, { mode: 'game' })).rejects.toMatchObject({
      name: 'RequestError',
      code: 'NAME_TAKEN',
      message: 'that name is taken',
      messageId: FailReq.id,
    });
    const plain = await client.request(FailReq, { mode: 'plain' }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(RequestError);
    expect((plain as RequestError).code).toBe('HANDLER_ERROR');
    expect((plain as RequestError).message).not.toContain('internal detail');
    await expect(client.request(FailReq, { mode: 'async' })).rejects.toMatchObject({ code: 'LATER' });
    expect(await client.request(FailReq, { mode: 'none' })).toEqual({ ok: true });
    expect(client.connected).toBe(true);
  });

  it('answers unknown message ids with UNKNOWN_MESSAGE and closes on the third within the window', async () => {
    harness = await startServer(transportCase);
    const raw = await RawConnection.open(harness.port);
    raw.hello();
    await raw.frame(2);
    raw.send(999, 11);
    const first = await raw.frame(ErrorMessage.id);
    expect(first.seq).toBe(11);
    expect(ErrorMessage.decode(first.payload)).toMatchObject({ code: 'UNKNOWN_MESSAGE', messageId: 999 });
    raw.send(Orphan.id, 12, Orphan.encode({ x: 1 })); // registered, but no handler
    raw.send(EchoReq.id, 13, EchoReq.encode({ text: 'still here', delayMs: 0 }));
    expect((await raw.frame(EchoRes.id)).seq).toBe(13);
    expect(raw.frames.filter((f) => f.msgId === ErrorMessage.id)).toHaveLength(2);
    raw.send(998, 14);
    expect(await raw.closed).toBe('peer_closed');
    const errors = raw.frames.filter((f) => f.msgId === ErrorMessage.id).map((f) => f.seq);
    expect(errors).toEqual([11, 12, 14]);
    await raw.shutdown();
  });

  it('answers an undecodable payload with BAD_PAYLOAD and closes', async () => {
    harness = await startServer(transportCase);
    let closedWith: string | undefined;
    harness.server.onSessionClose((_session, reason) => (closedWith = reason));
    const raw = await RawConnection.open(harness.port);
    raw.hello();
    await raw.frame(2);
    raw.send(EchoReq.id, 5, new TextEncoder().encode('{not json'));
    const error = await raw.frame(ErrorMessage.id);
    expect(error.seq).toBe(5);
    expect(ErrorMessage.decode(error.payload).code).toBe('BAD_PAYLOAD');
    expect(await raw.closed).toBe('peer_closed');
    await expect.poll(() => closedWith).toBe('protocol_error');
    await raw.shutdown();
  });

  it('sends nothing back for one-way messages and handles them in order', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    for (let n = 1; n <= 5; n++) client.send(Note, { n, delayMs: 0 });
    expect(await client.request(NotesReq, {})).toEqual({ notes: [1, 2, 3, 4, 5] });
  });

  it('closes handlers to anonymous sessions unless marked public', async () => {
    harness = await startServer(transportCase);
    const client = await harness.connect();
    await expect(client.request(JoinReq, { room: 'lobby' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(client.request(LoginReq, { name: 'taken' })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await expect(client.request(JoinReq, { room: 'lobby' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await client.request(LoginReq, { name: 'bob' });
    expect(await client.request(JoinReq, { room: 'lobby' })).toEqual({ members: 1 });
    const session = harness.server.session(client.sessionId);
    expect(session?.user).toEqual({ name: 'bob' });
  });

  it('calls session.onClose once with the reason, after the session left its rooms', async () => {
    harness = await startServer(transportCase);
    const seen: string[] = [];
    harness.server.onSessionOpen((session) => {
      session.state.greeting = 'hi';
      session.onClose((reason) =>
        seen.push(`${reason} rooms=${session.groups.size} open=${!session.closed}`),
      );
    });
    const client = await harness.connect();
    await client.request(LoginReq, { name: 'eve' });
    await client.request(JoinReq, { room: 'hall' });
    const session = harness.server.session(client.sessionId)!;
    expect(session.state.greeting).toBe('hi');
    const hall = harness.server.rooms.get('hall')!;
    expect(await hall.run((room) => room.has(session))).toBe(true);
    await client.close();
    await expect.poll(() => seen).toEqual(['peer_closed rooms=0 open=false']);
    await expect.poll(() => harness!.server.rooms.get('hall')).toBeUndefined(); // empty: disposed
    expect(harness.server.session(client.sessionId)).toBeUndefined();
    let late: string | undefined;
    session.onClose((reason) => (late = reason)); // after the close: called at once
    expect(late).toBe('peer_closed');
  });
});
