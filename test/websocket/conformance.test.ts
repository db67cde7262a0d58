/**
 * WebSocket conformance in the spirit of Autobahn, ONE suite over every engine (node, epoll, uring; inline
 * and ioThreads 2): fragmentation with interleaved control frames, text, unmasked, reserved bits, bad
 * opcodes, bad control frames, close codes and reasons, too large messages, declined permessage-deflate,
 * slow and oversized upgrade requests, path / origin checks, static files. Uses raw sockets (helpers/raw-ws)
 * and the `ws` client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TransportOptions } from '../../framework/transport';
import { implementations } from '../transport/helpers/implementations';
import { fastportFrame, splitFrames, startEchoServer, type EchoServer } from './helpers/echo-server';
import { RawWs, waitFor } from './helpers/raw-ws';

const rows = implementations();
const staticDir = mkdtempSync(join(tmpdir(), 'fastport-ws-static-'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>hi</title>');
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

describe.each(rows.map((row) => [row.name, row] as const))('websocket conformance: %s', (_name, impl) => {
  if (impl.skip) {
    it.skip(impl.skip, () => undefined);
    return;
  }
  const servers: EchoServer[] = [];
  const clients: RawWs[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) {
      await s.transport.shutdown();
      for (const id of s.rec.opens.keys()) expect(s.rec.closes.has(id), `session ${id} closed`).toBe(true);
    }
  });

  async function server(options: TransportOptions = {}): Promise<EchoServer> {
    const s = await startEchoServer(impl, options);
    servers.push(s);
    return s;
  }
  async function upgraded(s: EchoServer): Promise<RawWs> {
    const c = await RawWs.connect(s.port);
    clients.push(c);
    expect(await c.upgraded()).toBe(101);
    return c;
  }
  async function closedWith(
    opcode: number,
    payload: Buffer,
    options = {},
  ): Promise<{ code: number; s: EchoServer }> {
    const s = await server();
    const c = await upgraded(s);
    c.send(opcode, payload, options);
    return { code: await c.closeCode(), s };
  }
  const violations = (s: EchoServer): number => Number(s.transport.stats().wsViolations);

  it('joins a fragmented message with ping / pong interleaved, and answers the ping', async () => {
    const s = await server();
    const c = await upgraded(s);
    const frame = fastportFrame(100, 5, Buffer.from('fragmented hello'));
    c.send(2, frame.subarray(0, 3), { fin: false });
    c.send(9, Buffer.from('ping-1'));
    c.send(0, frame.subarray(3, 12), { fin: false });
    c.send(10, Buffer.from('unsolicited pong'));
    c.send(0, frame.subarray(12), { fin: true });
    await waitFor(() => c.messages().length === 1, 'the echo');
    const pong = c.frames.find((f) => f.opcode === 10);
    expect(pong?.payload.toString()).toBe('ping-1');
    expect(splitFrames(c.messages()[0]).map((f) => f.payload.toString())).toEqual(['fragmented hello']);
  });

  it('answers a ping and a close whose frames arrive split across reads', async () => {
    const s = await server();
    const c = await upgraded(s);
    const bytesIn = (): number => Number(s.transport.stats().bytesIn);
    // Native engines count raw bytes: each part is awaited there, so the engine reads it on its own. The
    // node engine counts decoded bytes only, so there the parts are just written in order.
    const countsRawBytes = impl.name !== 'node';
    const sendInParts = async (frame: Buffer, cuts: number[]): Promise<void> => {
      let from = 0;
      for (const to of [...cuts, frame.length]) {
        const before = bytesIn();
        c.socket.write(frame.subarray(from, to));
        if (countsRawBytes) await expect.poll(bytesIn).toBeGreaterThanOrEqual(before + to - from);
        from = to;
      }
    };
    const payload = Buffer.from('a ping payload split in three reads');
    await sendInParts(RawWs.frame(9, payload), [4, 15]);
    await waitFor(() => c.frames.some((f) => f.opcode === 10), 'the pong');
    expect(c.frames.find((f) => f.opcode === 10)?.payload.toString()).toBe(payload.toString());
    const close = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
    await sendInParts(RawWs.frame(8, close), [7]);
    expect(await c.closeCode()).toBe(1000);
  });

  it('carries a 1 MiB message in 64 KiB fragments', async () => {
    const s = await server();
    const c = await upgraded(s);
    const payload = Buffer.alloc(1024 * 1024 - 10, 7);
    const frame = fastportFrame(101, 1, payload);
    for (let at = 0; at < frame.length; at += 65536) {
      c.send(at === 0 ? 2 : 0, frame.subarray(at, at + 65536), { fin: at + 65536 >= frame.length });
    }
    await waitFor(() => c.messages().length === 1, 'the echo', 20_000);
    expect(c.messages()[0].equals(frame)).toBe(true);
  });

  it('closes 1003 on a text message', async () => {
    const { code, s } = await closedWith(1, Buffer.from('hello'));
    expect(code).toBe(1003);
    expect(violations(s)).toBe(1);
  });

  it('closes 1002 on an unmasked client frame', async () => {
    expect((await closedWith(2, fastportFrame(100, 1, Buffer.alloc(0)), { mask: false })).code).toBe(1002);
  });

  it.each([1, 2, 4])('closes 1002 on reserved bits %i', async (rsv) => {
    expect((await closedWith(2, fastportFrame(100, 1, Buffer.alloc(0)), { rsv })).code).toBe(1002);
  });

  it.each([3, 7, 11, 15])('closes 1002 on reserved opcode %i', async (opcode) => {
    expect((await closedWith(opcode, Buffer.alloc(4))).code).toBe(1002);
  });

  it('closes 1002 on a ping over 125 bytes and on a fragmented ping', async () => {
    expect((await closedWith(9, Buffer.alloc(126))).code).toBe(1002);
    expect((await closedWith(9, Buffer.alloc(4), { fin: false })).code).toBe(1002);
  });

  it('closes 1002 on a continuation without a message', async () => {
    expect((await closedWith(0, Buffer.alloc(4))).code).toBe(1002);
  });

  it('echoes a Close with its code and reason, reported as peer_closed', async () => {
    const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye ✓')]);
    const { code, s } = await closedWith(8, payload);
    expect(code).toBe(1000);
    await waitFor(() => s.rec.closes.size === 1, 'the close');
    expect([...s.rec.closes.values()][0].reason).toBe('peer_closed');
  });

  it.each([
    ['code 1005 (reserved)', Buffer.from([0x03, 0xed]), 1002],
    ['code 999', Buffer.from([0x03, 0xe7]), 1002],
    ['a 1-byte payload', Buffer.from([0x03]), 1002],
    ['invalid UTF-8 in the reason', Buffer.from([0x03, 0xe8, 0xc3, 0x28]), 1007],
  ])('closes on a Close with %s', async (_what, payload, expected) => {
    expect((await closedWith(8, payload)).code).toBe(expected);
  });

  it('closes 1009 on a message above maxFrameBytes', async () => {
    const s = await server({ maxFrameBytes: 4096, sendHardLimit: 1 << 20 });
    const c = await upgraded(s);
    c.send(2, fastportFrame(100, 1, Buffer.alloc(5000)));
    expect(await c.closeCode()).toBe(1009);
    await waitFor(() => s.rec.closes.size === 1, 'the close');
    expect([...s.rec.closes.values()][0].reason).toBe('frame_too_large');
  });

  it('closes 1007 on a message that ends inside a FastPort frame', async () => {
    const frame = fastportFrame(100, 1, Buffer.alloc(20));
    expect((await closedWith(2, frame.subarray(0, 15))).code).toBe(1007);
  });

  it('closes with a Close frame when the server closes a session', async () => {
    const s = await server();
    const c = await upgraded(s);
    await waitFor(() => s.rec.opens.size === 1, 'the session');
    s.transport.close([...s.rec.opens.keys()][0], 'kicked');
    expect(await c.closeCode()).toBe(1000);
  });

  it('declines a permessage-deflate offer (no extension in the 101)', async () => {
    const s = await server();
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`, { perMessageDeflate: true });
    ws.on('error', () => undefined);
    await new Promise((resolve) => ws.once('open', resolve));
    expect(ws.extensions).toBe('');
    const reply = new Promise<Buffer>((resolve) => ws.once('message', resolve));
    ws.send(fastportFrame(100, 3, Buffer.from('plain')));
    expect(splitFrames(await reply)[0].payload.toString()).toBe('plain');
    ws.terminate();
  });

  it('closes a slow upgrade request at the frame deadline', async () => {
    const s = await server({ frameTimeoutMs: 300 });
    const c = await RawWs.connect(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    clients.push(c);
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    expect([...s.rec.closes.values()][0].reason).toBe('frame_timeout');
  });

  it('closes a WebSocket frame left half sent at the frame deadline (frame_timeout, counted)', async () => {
    const s = await server({ frameTimeoutMs: 300 });
    const c = await upgraded(s);
    const whole = RawWs.frame(2, fastportFrame(100, 1, Buffer.alloc(50, 1)));
    c.socket.write(whole.subarray(0, 20));
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    expect([...s.rec.closes.values()][0].reason).toBe('frame_timeout');
    expect(Number(s.transport.stats().closed)).toBe(1);
    expect(violations(s)).toBe(0);
  });

  it('keeps an unfinished fragmented message under the frame deadline, control frames or not', async () => {
    const s = await server({ frameTimeoutMs: 300 });
    const c = await upgraded(s);
    c.send(2, fastportFrame(100, 1, Buffer.from('first part')).subarray(0, 12), { fin: false });
    c.send(9, Buffer.from('still here'));
    await waitFor(() => c.frames.some((f) => f.opcode === 10), 'the pong');
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    expect([...s.rec.closes.values()][0].reason).toBe('frame_timeout');
  });

  it('answers an upgrade request over 8 KiB with 431 and closes', async () => {
    const s = await server();
    const big = RawWs.upgradeRequest('/', { 'X-Padding': 'a'.repeat(9000) });
    const c = await RawWs.connect(s.port, big);
    clients.push(c);
    expect(await c.upgraded()).toBe(431);
    await waitFor(() => c.ended, 'the close');
  });

  it('refuses another path (404), a foreign origin (403) and a bad version (426)', async () => {
    const s = await server({ wsPath: '/game', origins: ['http://good.example'] });
    const tries: [string, Record<string, string>, number][] = [
      ['/', { Origin: 'http://good.example' }, 404],
      ['/game', { Origin: 'http://evil.example' }, 403],
      ['/game', { Origin: 'http://good.example', 'Sec-WebSocket-Version': '12' }, 426],
      ['/game?x=1', { Origin: 'http://good.example' }, 101],
    ];
    for (const [path, headers, status] of tries) {
      const c = await RawWs.connect(s.port, RawWs.upgradeRequest(path, headers));
      clients.push(c);
      expect(await c.upgraded(), `${path} ${JSON.stringify(headers)}`).toBe(status);
    }
  });

  it('serves a static file for a plain GET, 404 outside the folder', async () => {
    const s = await server({ staticDir });
    const page = await RawWs.connect(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const outside = await RawWs.connect(s.port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n');
    clients.push(page, outside);
    expect(await page.upgraded()).toBe(200);
    expect(await outside.upgraded()).toBe(404);
    await waitFor(() => page.ended, 'the close after the page');
  });

  it('keeps FastPort TCP working on the same port, and stays off with websocket: false', async () => {
    const s = await server({ websocket: false });
    const c = await RawWs.connect(s.port);
    clients.push(c);
    await waitFor(() => c.ended, 'the close');
    expect(c.status).toBe(0); // no HTTP answer: 'GET ' is read as a FastPort length far above maxFrameBytes
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    expect([...s.rec.closes.values()][0].reason).toBe('frame_too_large');
  });
});
