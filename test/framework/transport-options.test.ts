/**
 * Every transport option group given to a GameServer reaches the transport it creates: the transport's
 * resolved options say so, and where the option has an effect a test can see, the behaviour does too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import { GameServer } from '../../framework/server/game-server';
import type { GameServerOptions } from '../../framework/server/options';
import { nativeEngineProblems } from '../support/engines';
import { Gates, TestController } from './support/harness';
import { EchoReq, allMessages } from './support/messages';

const epollProblem = nativeEngineProblems().get('epoll') ?? 'not an engine of this platform';
const uringProblem = nativeEngineProblems().get('uring') ?? 'not an engine of this platform';

const staticDir = mkdtempSync(join(tmpdir(), 'fastport-options-static-'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>options</title>');
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

const servers: GameServer[] = [];
const clients: GameClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function server(options: Partial<GameServerOptions>): GameServer {
  const container = new Container();
  container.bind(Gates).toSelf();
  const created = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine: 'node',
    messages: allMessages,
    controllers: [TestController],
    logger: { level: 'silent' },
    container,
    ...options,
  });
  servers.push(created);
  return created;
}

async function connect(options: Parameters<typeof GameClient.connect>[0]): Promise<GameClient> {
  const client = await GameClient.connect(options);
  clients.push(client);
  return client;
}

describe('transport options passed through GameServer', () => {
  it('limits: the transport enforces the frame size it was given', async () => {
    const s = server({ limits: { maxFrameBytes: 2000, sendStallMs: 1234, maxConnections: 7 } });
    expect(s.transport.resolvedOptions?.limits).toMatchObject({
      maxFrameBytes: 2000,
      sendStallMs: 1234,
      maxConnections: 7,
    });
    const reasons: string[] = [];
    s.onSessionClose((_session, reason) => reasons.push(reason));
    const { port } = await s.start();
    const client = await connect({ port });
    expect((await client.request(EchoReq, { text: 'short', delayMs: 0 })).text).toBe('short');
    await expect(client.request(EchoReq, { text: 'x'.repeat(3000), delayMs: 0 })).rejects.toThrow();
    await expect.poll(() => reasons).toEqual(['frame_too_large']);
  });

  it('listener options: backlog, reusePort and maxConnectionsPerAddress', async () => {
    const s = server({ limits: { backlog: 64, reusePort: true, maxConnectionsPerAddress: 1 } });
    expect(s.transport.resolvedOptions).toMatchObject({
      backlog: 64,
      reusePort: true,
      maxConnectionsPerAddress: 1,
    });
    const { port } = await s.start();
    await connect({ port });
    await expect(GameClient.connect({ port, connectTimeoutMs: 2000 })).rejects.toThrow();
    expect(s.transport.stats().refused).toBe(1);
  });

  it.skipIf(epollProblem !== '')(
    `reusePort lets two servers share a port (native epoll${epollProblem ? `; skipped: ${epollProblem}` : ''})`,
    async () => {
      const first = server({ engine: 'epoll', limits: { reusePort: true } });
      const { port } = await first.start();
      const second = server({ engine: 'epoll', port, limits: { reusePort: true } });
      expect((await second.start()).port).toBe(port);
      const without = server({ engine: 'epoll', port });
      await expect(without.start()).rejects.toThrow(/in use/i);
    },
  );

  it.skipIf(epollProblem !== '')(
    `engine and ioThreads (native epoll${epollProblem ? `; skipped: ${epollProblem}` : ''})`,
    async () => {
      const s = server({ engine: 'epoll', ioThreads: 2 });
      expect(s.transport.resolvedOptions).toMatchObject({ engine: 'epoll', ioThreads: 2 });
      const { port, engine } = await s.start();
      expect(engine).toBe('epoll');
      const client = await connect({ port });
      expect((await client.request(EchoReq, { text: 'threads', delayMs: 0 })).text).toBe('threads');
    },
  );

  it('ownedFrameBytes: 32 KiB unless given (big requests decode into views of their own frame)', () => {
    expect(server({}).transport.resolvedOptions?.ownedFrameBytes).toBe(32 * 1024);
    expect(server({ limits: { ownedFrameBytes: 0 } }).transport.resolvedOptions?.ownedFrameBytes).toBe(0);
  });

  it('io_uring tuning reaches the transport (any engine keeps it; uring uses it)', () => {
    const uring = { uringEntries: 256, uringBufferCount: 128, uringSendSliceCount: 64 };
    expect(server({ limits: uring }).transport.resolvedOptions?.uring).toEqual(uring);
  });

  it.skipIf(uringProblem !== '')(
    `io_uring tuning starts a uring server (${uringProblem ? `skipped: ${uringProblem}` : 'native uring'})`,
    async () => {
      const s = server({ engine: 'uring', limits: { uringEntries: 256, uringSendSliceCount: 64 } });
      const { port, engine } = await s.start();
      expect(engine).toBe('uring');
      const client = await connect({ port });
      expect((await client.request(EchoReq, { text: 'tuned', delayMs: 0 })).text).toBe('tuned');
    },
  );

  it('websocket settings: wsPath and staticDir are served on the game port', async () => {
    const s = server({ limits: { wsPath: '/game', staticDir } });
    expect(s.transport.resolvedOptions?.websocket).toMatchObject({ enabled: true, path: '/game', staticDir });
    const { port } = await s.start();
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toContain('<title>options</title>');
    const web = await connect({ url: `ws://127.0.0.1:${port}/game` });
    expect((await web.request(EchoReq, { text: 'ws', delayMs: 0 })).text).toBe('ws');
    await expect(GameClient.connect({ url: `ws://127.0.0.1:${port}/` })).rejects.toThrow();
  });

  it('limits.websocket: false leaves FastPort TCP only', async () => {
    const s = server({ limits: { websocket: false } });
    expect(s.transport.resolvedOptions?.websocket.enabled).toBe(false);
    const { port } = await s.start();
    await expect(
      GameClient.connect({ url: `ws://127.0.0.1:${port}/`, connectTimeoutMs: 2000 }),
    ).rejects.toThrow();
    const tcp = await connect({ port });
    expect((await tcp.request(EchoReq, { text: 'tcp', delayMs: 0 })).text).toBe('tcp');
  });
});
