import { afterEach, describe, expect, it, vi } from 'vitest';
import { GameClient, type GameServer } from '../../../framework';
import { availableTransports } from '../support/transports';
import { runBot } from './bot';
import { Chat, ChatPush, LoginReq } from './generated/packets';
import { createServer } from './server';

describe.each(availableTransports())('the docs/framework.md example on $engine', (transportCase) => {
  let server: GameServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('logs in through a service, refuses bad logins and anonymous chat, broadcasts chat', async () => {
    server = createServer({
      port: 0,
      host: '127.0.0.1',
      engine: transportCase.engine,
      logger: { level: 'silent' },
    });
    const { port } = await server.start();

    const anonymous = await GameClient.connect({ port });
    expect(() => anonymous.send(Chat, { text: 'spam' })).not.toThrow();
    const denied = new Promise((resolve) => anonymous.onError(resolve));
    expect(await denied).toMatchObject({ code: 'UNAUTHENTICATED', messageId: Chat.id });
    await expect(anonymous.request(LoginReq, { user: 'ada', password: 'nope' })).rejects.toMatchObject({
      code: 'BAD_LOGIN',
    });

    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const listener = await GameClient.connect({ port });
    expect(await listener.request(LoginReq, { user: 'alan', password: 'turing' })).toEqual({
      playerId: 1,
      level: 1,
    });
    const heard = new Promise<ChatPush>((resolve) => listener.on(ChatPush, resolve));
    const bot = await runBot(port, 'ada', 'lovelace');
    expect(await heard).toEqual({ from: 'ada', text: 'hello from ada' });
    expect(log).toHaveBeenCalledWith('ada is player 2');
    log.mockRestore();
    await Promise.all([anonymous.close(), listener.close(), bot.close()]);
  });
});
