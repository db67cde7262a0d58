import { Writable } from 'node:stream';
import { Container } from 'inversify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
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
  it.each([
    [{ port: 70000 }, 'port must be an integer from 0 to 65535, got 70000'],
    [{ port: '80' }, 'port must be an integer from 0 to 65535, got "80"'],
    [{ host: '' }, 'host must be a non-empty string, got ""'],
    [{ engine: 'kqueue' }, 'engine must be one of auto, epoll, uring, iocp, rio, node, got "kqueue"'],
    [{ ioThreads: -1 }, 'ioThreads must be an integer from 0 to 64, got -1'],
    [
      { limits: { mailboxCapacity: 1 } },
      'limits.mailboxCapacity must be an integer from 2 to 1000000, got 1',
    ],
    [{ limits: { idleTimeoutMs: 0 } }, 'limits.idleTimeoutMs must be an integer from 1 to 2147483647, got 0'],
    [{ limits: { rateLimit: true } }, 'limits.rateLimit must be { perSecond, burst } or false, got true'],
    [
      { limits: { rateLimit: { perSecond: 10 } } },
      'limits.rateLimit.burst must be an integer from 1 to 10000000',
    ],
    [
      { limits: { idleTimeoutMs: 100, heartbeatIntervalMs: 100 } },
      'limits.heartbeatIntervalMs (100) must be below',
    ],
    [{ limits: { mailboxSize: 3 } }, 'unknown limit "limits.mailboxSize"'],
    [{ portt: 1 }, 'unknown GameServer option "portt"'],
    [{ controllers: TestController }, 'controllers must be an array of @Controller() classes'],
    [{ messages: null }, 'messages must be an array of generated message constants'],
    [{ container: {} }, 'container must be an inversify Container'],
    [{ bindControllers: 'yes' }, 'bindControllers must be a boolean, got "yes"'],
    [{ logger: { level: 'info', colour: true } }, 'unknown logger option "logger.colour"'],
    [{ transport: {} }, 'transport must be a Transport'],
  ])('rejects %j', (options, message) => {
    expect(build(options)).toThrow(OptionError);
    expect(build(options)).toThrow(message);
  });

  it('rejects transport limits next to a ready transport, and engine next to transport', async () => {
    const transport = createTransport({ engine: 'node' });
    expect(build({ transport, limits: { maxFrameBytes: 1000 } })).toThrow(
      'limits.maxFrameBytes is a transport limit: set it on the transport you pass in',
    );
    expect(build({ transport, engine: 'node' })).toThrow(
      'give either transport or engine / ioThreads, not both',
    );
    await transport.shutdown();
  });

  it('passes transport limits through and validates them there', () => {
    expect(build({ engine: 'node', limits: { maxFrameBytes: 5 } })).toThrow(
      /maxFrameBytes must be an integer/,
    );
  });

  it('passes every transport option (backlog, io_uring tuning) through, validated by the one schema', async () => {
    expect(build({ engine: 'node', limits: { uringEntries: 100 } })).toThrow(OptionError);
    expect(build({ engine: 'node', limits: { uringEntries: 100 } })).toThrow(
      'uringEntries must be a power of two, got 100',
    );
    expect(build({ engine: 'node', limits: { backlog: 0 } })).toThrow(
      'backlog must be an integer between 1 and 65535, got 0',
    );
    expect(() => createTransport({ engine: 'node', backlog: 0 })).toThrow(OptionError);
    const server = new GameServer({
      ...base,
      engine: 'node',
      limits: { backlog: 64, uringEntries: 256, maxConnectionsPerAddress: 4 },
    } as unknown as GameServerOptions);
    server.container.bind(Gates).toSelf();
    const { port } = await server.start();
    expect(port).toBeGreaterThan(0);
    await server.stop();
  });

  it('passes the WebSocket options through: a bad one is refused by name', () => {
    expect(build({ engine: 'node', limits: { staticDir: '' } })).toThrow(
      'staticDir must be a non-empty string, got ',
    );
    expect(build({ engine: 'node', limits: { wsPath: 'no-slash' } })).toThrow(/^wsPath must be a path/);
    expect(build({ engine: 'node', limits: { staticDir: '/tmp', wsPath: '/ws' } })).not.toThrow();
  });

  it('passes maxConnectionsPerAddress to the transport: a second connection from one address is refused', async () => {
    const container = new Container();
    container.bind(Gates).toSelf();
    const server = new GameServer({
      ...base,
      host: '127.0.0.1',
      engine: 'node',
      container,
      limits: { maxConnectionsPerAddress: 1 },
    });
    const { port } = await server.start();
    const first = await GameClient.connect({ port });
    await expect(GameClient.connect({ port, connectTimeoutMs: 2000 })).rejects.toThrow();
    expect(server.transport.stats().refused).toBe(1);
    await first.close();
    await server.stop();
  });

  it('rejects a bad log level with the allowed ones', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(
      'log level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it('rejects bad GameClient options', () => {
    expect(() => new GameClient({ port: 0 })).toThrow('port must be an integer from 1 to 65535, got 0');
    expect(() => new GameClient({ port: 1, requestTimeoutMs: 0 })).toThrow(
      'requestTimeoutMs must be an integer from 1 to 2147483647, got 0',
    );
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
