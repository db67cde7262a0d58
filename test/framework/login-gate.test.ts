import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../framework';
import { type Harness, startServer } from './support/harness';
import { JoinReq, LoginReq, NotesReq } from './support/messages';
import { availableTransports } from './support/transports';

describe.each(availableTransports())('the login gate on $engine', (transportCase) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('refuses an anonymous session before any middleware runs; middleware sees the rest', async () => {
    const seen: string[] = [];
    const record = (context: HandlerContext, next: () => unknown): unknown => {
      seen.push(`${context.handler.type.name} ${context.session.authenticated ? 'user' : 'anonymous'}`);
      return next();
    };
    harness = await startServer(transportCase, { use: [record] });
    const client = await harness.connect();
    await expect(client.request(JoinReq, { room: 'gate' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'test.JoinReq needs an authenticated session',
      messageId: JoinReq.id,
    });
    expect(await client.request(NotesReq, {})).toEqual({ notes: [] }); // public: passes anonymous
    await client.request(LoginReq, { name: 'gatekeeper' });
    expect(await client.request(JoinReq, { room: 'gate' })).toEqual({ members: 1 });
    expect(seen).toEqual(['test.NotesReq anonymous', 'test.LoginReq anonymous', 'test.JoinReq user']);
  });

  it('counts a refusal by the gate as an unauthenticated protocol error, not a handler failure', async () => {
    harness = await startServer(transportCase, { admin: { port: 0 } });
    const client = await harness.connect();
    await expect(client.request(JoinReq, { room: 'gate' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const metrics = await (await fetch(`http://127.0.0.1:${harness.server.admin!.port}/metrics`)).text();
    expect(metrics).toMatch(/fastport_protocol_errors_total\{kind="unauthenticated"\} 1\b/);
    expect(metrics).not.toMatch(/fastport_handler_errors_total\{[^}]*\} [1-9]/);
  });
});
