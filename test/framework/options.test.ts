import { Writable } from 'node:stream';
import { Container } from 'inversify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import { NatsCluster } from '../../framework/cluster';
import { OptionError } from '../../framework/errors';
import { createLogger } from '../../framework/logging';
import { GameServer } from '../../framework/server/game-server';
import type { GameServerOptions } from '../../framework/server/options';
import { createTransport } from '../../framework/transport/create-transport';
import { Gates, TestController } from './support/harness';
import { allMessages } from './support/messages';

const base = {
  port: 0,
  messages: allMessages,
  controllers: [TestController],
  logger: { level: 'silent' as const },
};

function build(options: Record<string, unknown>) {
  return () => new GameServer({ ...base, ...options } as unknown as GameServerOptions);
}

describe('GameServer options', () => {
  const prefix = 'GameServer options: ';
  it.each([
    [{ port: 70000 }, 'port must be an integer from 0 to 65535 (got 70000)'],
    [{ port: '80' }, 'port must be an integer from 0 to 65535 (got "80")'],
    [{ host: '' }, 'host must be a non-empty string (got "")'],
    [{ engine: 'kqueue' }, 'engine must be one of auto, epoll, uring, iocp, rio, node (got "kqueue")'],
    [{ ioThreads: -1 }, 'ioThreads must be an integer from 0 to 64 (got -1)'],
    [
      { limits: { mailboxCapacity: 1 } },
      'limits.mailboxCapacity must be an integer from 2 to 1000000 (got 1)',
    ],
    [
      { limits: { idleTimeoutMs: 0 } },
      'limits.idleTimeoutMs must be an integer from 1 to 2147483647 (got 0)',
    ],
    [{ limits: { rateLimit: true } }, 'limits.rateLimit must be { perSecond, burst } or false (got true)'],
    [
      { limits: { rateLimit: { perSecond: 10 } } },
      'limits.rateLimit.burst must be an integer from 1 to 10000000 (got undefined)',
    ],
    [{ limits: { rateLimit: { perSecond: 10, burst: 5, per: 1 } } }, 'unknown option limits.rateLimit.per'],
    [
      { limits: { idleTimeoutMs: 100, heartbeatIntervalMs: 100 } },
      'limits.heartbeatIntervalMs must be below idleTimeoutMs (100), or idle clients that ping on time ' +
        'would still be closed (got 100)',
    ],
    [{ limits: { mailboxSize: 3 } }, 'unknown option limits.mailboxSize'],
    [{ limits: { maxFrameBytes: 5 } }, 'limits.maxFrameBytes must be an integer from 10 to 67108864 (got 5)'],
    [
      { limits: { maxFrameBytes: 20 * 1024 * 1024 } },
      'limits.sendHardLimit must be at least maxFrameBytes (20971520)',
    ],
    [
      { limits: { uringEntries: 100 } },
      'limits.uringEntries must be a power of two from 1 to 32768 (got 100)',
    ],
    [{ limits: { backlog: 0 } }, 'limits.backlog must be an integer from 1 to 65535 (got 0)'],
    [{ limits: { reusePort: 'yes' } }, 'limits.reusePort must be a boolean (got "yes")'],
    [{ limits: { websocket: 'on' } }, 'limits.websocket must be a boolean (got "on")'],
    [{ limits: { staticDir: '' } }, 'limits.staticDir must be a non-empty string (got "")'],
    [
      { limits: { wsPath: 'game' } },
      "limits.wsPath must be a path starting with '/' (no spaces, '?' or '#') (got \"game\")",
    ],
    [{ limits: { origins: ['ok', ''] } }, 'limits.origins.1 must be a non-empty string (got "")'],
    [{ limits: { path: '/game' } }, 'unknown option limits.path'],
    [{ portt: 1 }, 'unknown option portt'],
    [
      { controllers: TestController },
      'controllers must be an array of @Controller() classes (got a function)',
    ],
    [{ messages: null }, 'messages must be an array of generated message constants or a module of them'],
    [{ container: {} }, 'container must be an inversify Container (got an object)'],
    [{ bindControllers: 'yes' }, 'bindControllers must be a boolean (got "yes")'],
    [{ logger: { level: 'info', colour: true } }, 'unknown option logger.colour'],
    [
      { logger: { level: 'loud' } },
      'logger.level must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ transport: {} }, 'transport must be a Transport'],
    [{ use: [42] }, 'use.0 must be middleware (a function or { handle }) (got 42)'],
    [{ users: {} }, 'users.idOf must be a function idOf(user) (got undefined)'],
    [
      { users: { idOf: String, secondLogin: 'kick' } },
      'users.secondLogin must be "takeover", "refuse" or a function (got "kick")',
    ],
    [{ rooms: { maxRooms: -1 } }, 'rooms.maxRooms must be an integer from 0 to 10000000 (got -1)'],
    [{ rooms: { types: { chat: 3 } } }, 'rooms.types.chat must be a Room class (got 3)'],
    [{ rooms: { max: 3 } }, 'unknown option rooms.max'],
    [{ sessionState: {} }, 'sessionState must be a function (got an object)'],
    [{ admin: { port: 0, tls: true } }, 'unknown option admin.tls'],
    [
      { cluster: { servers: [], node: 'a' } },
      'cluster.servers must be a NATS URL or a non-empty array of them',
    ],
    [
      { cluster: { servers: 'nats://x', node: 'a b' } },
      `cluster.node must be 1 to 64 letters, digits, '-' or '_'`,
    ],
    [
      { cluster: { servers: 'nats://x', node: 'a', leaseTtlMs: 10 } },
      'cluster.leaseTtlMs must be an integer from 500 to 3600000 (got 10)',
    ],
  ])('rejects %j', (options, message) => {
    expect(build(options)).toThrow(OptionError);
    expect(build(options)).toThrow(prefix + message);
  });

  it('rejects a value that is no options object at all', () => {
    expect(() => new GameServer(null as never)).toThrow('GameServer options must be an object (got null)');
  });

  it('rejects transport options next to a ready transport', async () => {
    const transport = createTransport({ engine: 'node' });
    for (const limits of [{ maxFrameBytes: 1000 }, { staticDir: '/tmp' }])
      expect(build({ transport, limits })).toThrow(
        `${prefix}limits.${Object.keys(limits)[0]} is a transport limit: set it on the transport you pass in`,
      );
    for (const [key, value] of [
      ['engine', 'node'],
      ['ioThreads', 1],
    ] as const)
      expect(build({ transport, [key]: value })).toThrow(
        `${prefix}${key} cannot be combined with transport: set it on that transport`,
      );
    await transport.shutdown();
  });

  it('passes the WebSocket options through: a bad one is refused by name', () => {
    expect(build({ engine: 'node', limits: { staticDir: '' } })).toThrow(
      'GameServer options: limits.staticDir must be a non-empty string (got "")',
    );
    expect(build({ engine: 'node', limits: { wsPath: 'no-slash' } })).toThrow(
      /limits\.wsPath must be a path/,
    );
    expect(build({ engine: 'node', limits: { staticDir: '/tmp', wsPath: '/ws' } })).not.toThrow();
  });

  it('rejects a bad log level with the allowed ones', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(
      'logger options: level must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
  });
});

describe('cluster options given to NatsCluster directly', () => {
  it('names them "cluster options" and fills in the defaults', () => {
    expect(() => new NatsCluster({ servers: 'nats://127.0.0.1:1', node: 'a b' })).toThrow(
      `cluster options: node must be 1 to 64 letters, digits, '-' or '_' (got "a b")`,
    );
    expect(() => new NatsCluster({ servers: 'nats://127.0.0.1:1', node: 'a', lease: 1 } as never)).toThrow(
      'cluster options: unknown option lease',
    );
    expect(new NatsCluster({ servers: 'nats://127.0.0.1:1', node: 'a' })).toBeInstanceOf(NatsCluster);
  });
});

describe('GameClient options', () => {
  const client = (options: Record<string, unknown>) => () => new GameClient(options as never);

  it.each([
    [{ port: 0 }, 'port must be an integer from 1 to 65535 (got 0)'],
    [{}, 'port must be an integer from 1 to 65535 (got undefined)'],
    [{ port: 1, requestTimeoutMs: 0 }, 'requestTimeoutMs must be an integer from 1 to 2147483647 (got 0)'],
    [{ port: 1, host: '' }, 'host must be a non-empty string (got "")'],
    [{ port: 1, heartbeat: 1 }, 'heartbeat must be a boolean (got 1)'],
    [
      { port: 1, resume: { maxAttempts: 0 } },
      'resume.maxAttempts must be an integer from 1 to 1000000 (got 0)',
    ],
    [{ port: 1, resume: { tries: 3 } }, 'unknown option resume.tries'],
    [{ port: 1, resume: 'yes' }, 'resume must be a boolean or { initialDelayMs?, ... } (got "yes")'],
    [
      { port: 1, engine: 'kqueue' },
      'engine must be one of auto, epoll, uring, iocp, rio, node (got "kqueue")',
    ],
    [{ port: 1, timeout: 5 }, 'unknown option timeout'],
    [{ url: 'http://127.0.0.1:1/' }, 'url must be a ws:// or wss:// URL (got "http://127.0.0.1:1/")'],
    [{ url: 'ws://127.0.0.1:1/', port: 2 }, 'port cannot be combined with url'],
    [{ url: 'ws://127.0.0.1:1/', engine: 'node' }, 'engine cannot be combined with url'],
  ])('rejects %j', (options, message) => {
    expect(client(options)).toThrow(OptionError);
    expect(client(options)).toThrow(`GameClient options: ${message}`);
  });

  it('rejects engine next to a ready transport', async () => {
    const transport = createTransport({ engine: 'node' });
    expect(client({ port: 1, transport, engine: 'node' })).toThrow(
      'GameClient options: engine cannot be combined with transport (give either)',
    );
    await transport.shutdown();
  });

  it('rejects bad reconnect() options before closing anything', async () => {
    const c = new GameClient({ port: 1 });
    await expect(c.reconnect({ retries: -1 })).rejects.toThrow(
      'reconnect() options: retries must be an integer from 0 to 1000 (got -1)',
    );
    await c.close();
  });
});

describe('logging', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, logger: pino({ level: 'debug' }, stream) };
  }

  it('logs the chosen engine and gives each session a child logger with its id and address', async () => {
    const { lines, logger } = capture();
    const container = new Container();
    container.bind(Gates).toSelf();
    const server = new GameServer({ ...base, host: '127.0.0.1', engine: 'node', logger, container });
    const { port, engine } = await server.start();
    expect(engine).toBe('node');
    const client = await GameClient.connect({ port });
    await client.close();
    await server.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('listening'))).toMatchObject({
      engine: 'node',
      port,
    });
    const opened = lines.find((l) => l.msg === 'session opened');
    expect(opened).toMatchObject({ session: client.sessionId });
    expect(opened?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('takes the level from LOG_LEVEL unless given', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      expect(createLogger().level).toBe('warn');
      expect(createLogger({ level: 'debug' }).level).toBe('debug');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  it('writes JSON lines by default and pretty text only when asked', () => {
    const collect = () => {
      const chunks: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      });
      return { chunks, destination };
    };
    const json = collect();
    createLogger({ level: 'info', destination: json.destination }).info({ session: 7 }, 'hello');
    expect(JSON.parse(json.chunks.join(''))).toMatchObject({
      level: 30,
      session: 7,
      msg: 'hello',
      name: 'fastport',
    });
    const pretty = collect();
    createLogger({ level: 'info', pretty: true, destination: pretty.destination }).info(
      { session: 7 },
      'hello',
    );
    const text = pretty.chunks.join('');
    expect(text).toMatch(/INFO.*hello/);
    expect(text).toContain('session: 7');
    expect(() => JSON.parse(text)).toThrow();
  });
});
