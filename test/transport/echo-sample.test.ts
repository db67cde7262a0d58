/** The raw echo sample echoes 1 MiB frames and many small ones intact (in-process, on every engine built). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLoadBinding, type EngineChoice } from '../../framework/transport';
import { parseEchoArgs, startEchoServer, type EchoServer } from '../../samples/echo/raw-server';
import { frame, pattern, RawClient } from './helpers/raw-client';

const engines: EngineChoice[] = ['node', ...((tryLoadBinding().binding?.engines() ?? []) as EngineChoice[])];

describe.each(engines)('samples/echo/raw-server (engine %s)', (engine) => {
  let server: EchoServer;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startEchoServer({ port: 0, engine });
    expect(server.transport.engine).toBe(engine);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
  });

  it('echoes a 1 MiB frame (the default maximum) intact', async () => {
    const c = await RawClient.connect(server.port);
    clients.push(c);
    const payload = pattern(1024 * 1024 - 10, 42);
    await c.write(frame(1234, 99, payload));
    await c.until(() => c.frames.length === 1, 'the echo', 20_000);
    expect([c.frames[0].msgId, c.frames[0].seq]).toEqual([1234, 99]);
    expect(c.frames[0].payload.equals(payload)).toBe(true);
  });

  it('echoes 5,000 small frames in order from several connections', async () => {
    const conns = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(server.port)));
    clients.push(...conns);
    const count = 5000 / conns.length;
    await Promise.all(
      conns.map((c, k) =>
        c.write(
          Buffer.concat(Array.from({ length: count }, (_, i) => frame(100 + k, i, pattern(i % 64, i + k)))),
        ),
      ),
    );
    await Promise.all(conns.map((c) => c.until(() => c.frames.length === count, 'all echoes', 20_000)));
    conns.forEach((c, k) =>
      c.frames.forEach((f, i) => {
        expect([f.msgId, f.seq]).toEqual([100 + k, i]);
        expect(f.payload.equals(pattern(i % 64, i + k))).toBe(true);
      }),
    );
  });

  it('parses its flags and rejects unknown ones', () => {
    expect(
      parseEchoArgs(['--host', '127.0.0.1', '--port', '0', '--engine', 'node', '--io-threads', '2']),
    ).toEqual({
      host: '127.0.0.1',
      port: 0,
      engine: 'node',
      ioThreads: 2,
      maxFrameBytes: 1024 * 1024,
    });
    expect(parseEchoArgs(['--port=7101', '--io-threads=1'])).toMatchObject({ port: 7101, ioThreads: 1 });
    expect(() => parseEchoArgs(['--bogus', '1'])).toThrow(/Unknown option '--bogus'/);
    expect(() => parseEchoArgs(['--port', 'x'])).toThrow(/--port needs a whole number >= 0/);
  });
});
