import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import { GameServer } from '../../framework/server/game-server';
import { Gates, TestController, TestRoom } from './support/harness';
import { EchoReq, JoinReq, LoginReq, Said, Say, allMessages } from './support/messages';
import { availableTransports } from './support/transports';

const nativeEngines = availableTransports().filter((c) => c.engine !== 'node');

describe.runIf(nativeEngines.length > 0).each(nativeEngines)(
  'native I/O threads on $engine',
  ({ engine }) => {
    let server: GameServer | undefined;
    const clients: GameClient[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await server?.stop();
      server = undefined;
    });

    it('serves requests and broadcasts with ioThreads: 2', async () => {
      server = new GameServer({
        port: 0,
        host: '127.0.0.1',
        engine,
        ioThreads: 2,
        messages: allMessages,
        controllers: [TestController],
        rooms: { types: { test: TestRoom } },
        logger: { level: 'silent' },
      });
      server.container.bind(Gates).toSelf().inSingletonScope();
      const { port } = await server.start();
      for (let i = 0; i < 20; i++) clients.push(await GameClient.connect({ port }));
      for (const [i, client] of clients.entries()) {
        await client.request(LoginReq, { name: `t${i}` });
        await client.request(JoinReq, { room: 'threads' });
      }
      const replies = await Promise.all(
        clients.flatMap((c, i) =>
          [0, 1, 2].map((k) => c.request(EchoReq, { text: `${i}.${k}`, delayMs: k })),
        ),
      );
      expect(replies.map((r) => r.text)).toEqual(
        clients.flatMap((_, i) => [0, 1, 2].map((k) => `${i}.${k}`)),
      );
      expect(replies.map((r) => r.order)).toEqual(clients.flatMap(() => [1, 2, 3]));
      const heard = clients.map((c) => new Promise<Said>((resolve) => c.on(Said, resolve)));
      clients[3].send(Say, { room: 'threads', text: 'threaded' });
      expect((await Promise.all(heard)).every((s) => s.text === 'threaded')).toBe(true);
    });
  },
);
