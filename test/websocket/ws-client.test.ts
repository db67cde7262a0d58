/**
 * The `ws` npm client (written by others) against every engine: echo of whole FastPort frames in binary
 * messages, several frames in one message, and a 1 MiB frame.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { implementations } from '../transport/helpers/implementations';
import { fastportFrame, splitFrames, startEchoServer, type EchoServer } from './helpers/echo-server';

const rows = implementations();

function open(port: number, path = '/'): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer, isBinary: boolean) =>
      isBinary ? resolve(data) : reject(new Error('text message from the server')),
    );
    ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
  });
}

describe.each(rows.map((row) => [row.name, row] as const))('ws client: %s', (_name, impl) => {
  if (impl.skip) {
    it.skip(impl.skip, () => undefined);
    return;
  }
  const servers: EchoServer[] = [];
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const s of servers.splice(0)) await s.transport.shutdown();
  });

  async function setup(): Promise<{ s: EchoServer; ws: WebSocket }> {
    const s = await startEchoServer(impl);
    servers.push(s);
    const ws = await open(s.port);
    ws.on('error', () => undefined);
    sockets.push(ws);
    return { s, ws };
  }

  it('echoes one frame per binary message', async () => {
    const { ws } = await setup();
    const reply = nextMessage(ws);
    ws.send(fastportFrame(100, 7, Buffer.from('hello')));
    const frames = splitFrames(await reply);
    expect(frames.map((f) => [f.msgId, f.seq, f.payload.toString()])).toEqual([[100, 7, 'hello']]);
  });

  it('takes several frames in one message and echoes them all', async () => {
    const { s, ws } = await setup();
    const got: ReturnType<typeof splitFrames> = [];
    ws.on('message', (data: Buffer) => got.push(...splitFrames(data)));
    ws.send(Buffer.concat([1, 2, 3].map((i) => fastportFrame(100 + i, i, Buffer.alloc(i * 100, i)))));
    await expect.poll(() => got.length).toBe(3);
    expect(got.map((f) => [f.msgId, f.seq, f.payload.length])).toEqual([
      [101, 1, 100],
      [102, 2, 200],
      [103, 3, 300],
    ]);
    expect(s.rec.frames.length).toBe(3);
  });

  it('carries a 1 MiB frame (maxFrameBytes) both ways', async () => {
    const { ws } = await setup();
    const payload = Buffer.alloc(1024 * 1024 - 10);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const got: Buffer[] = [];
    ws.on('message', (data: Buffer) => got.push(data));
    ws.send(fastportFrame(200, 1, payload));
    await expect.poll(() => Buffer.concat(got).length, { timeout: 20_000 }).toBe(1024 * 1024);
    const [echo] = splitFrames(Buffer.concat(got));
    expect(echo.payload.equals(payload)).toBe(true);
  });

  it('answers ping with pong carrying the same bytes', async () => {
    const { ws } = await setup();
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
  });
});
