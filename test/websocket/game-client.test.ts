/**
 * The same typed GameClient over WebSocket (Node, `ws` underneath) against the framework example server
 * on every engine: handshake, request / response, Error frames, pushes between a WebSocket and a TCP
 * client of the same server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GameClient, type GameServer } from '../../framework';
import { availableTransports } from '../framework/support/transports';
import { Chat, ChatPush, LoginReq } from '../framework/example/generated/packets';
import { createServer } from '../framework/example/server';

describe.each(availableTransports())('GameClient over WebSocket on $engine', (transportCase) => {
  let server: GameServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('logs in, gets typed errors and talks with a TCP client of the same server', async () => {
    server = createServer({
      port: 0,
      host: '127.0.0.1',
      engine: transportCase.engine,
      logger: { level: 'silent' },
    });
    const { port } = await server.start();
    const web = await GameClient.connect({ url: `ws://127.0.0.1:${port}/` });
    const tcp = await GameClient.connect({ port });
    await expect(web.request(LoginReq, { user: 'ada', password: 'nope' })).rejects.toMatchObject({
      code: 'BAD_LOGIN',
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await web.request(LoginReq, { user: 'alan', password: 'turing' })).toMatchObject({ playerId: 1 });
    await tcp.request(LoginReq, { user: 'ada', password: 'lovelace' });
    log.mockRestore();
    const webHeard = new Promise<ChatPush>((resolve) => web.on(ChatPush, resolve));
    const tcpHeard = new Promise<ChatPush>((resolve) => tcp.on(ChatPush, resolve));
    tcp.send(Chat, { text: 'from tcp' });
    expect(await webHeard).toEqual({ from: 'ada', text: 'from tcp' });
    expect(await tcpHeard).toEqual({ from: 'ada', text: 'from tcp' });
    await Promise.all([web.close(), tcp.close()]);
    expect(web.closeReason).toBeDefined();
  });
});
