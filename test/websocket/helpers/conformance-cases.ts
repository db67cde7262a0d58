/**
 * WebSocket conformance in the spirit of Autobahn, written ONCE for every implementation: the vitest suite
 * runs these cases over node, epoll and uring (test/websocket/conformance.test.ts), the Windows runner over
 * iocp, rio and rio-native inside node.exe under Wine (test/windows/run.js, this file bundled by esbuild in
 * scripts/windows/test-wine.sh). Hence plain node:assert and no vitest import here.
 *
 * Fragmentation with interleaved control frames, text, unmasked, reserved bits, bad opcodes, bad control
 * frames, close codes and reasons, too large messages, the frame deadline on half-sent frames, declined
 * permessage-deflate, slow and oversized upgrade requests, path / origin checks, static files. Uses raw
 * sockets (raw-ws) and the `ws` client.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Transport, TransportOptions } from '../../../framework/transport';
import { fastportFrame, splitFrames, startEchoServer, type EchoServer } from './echo-server';
import { RawWs, waitFor } from './raw-ws';

/** An implementation under test: its row name ('node' counts decoded bytes only) and a transport factory. */
export interface ConformanceTarget {
  name: string;
  create(options?: TransportOptions): Transport;
}

export interface ConformanceCase {
  name: string;
  timeoutMs?: number;
  run(ctx: CaseContext): Promise<void>;
}

/** What one case opened; cleanup() closes it and checks every session was reported closed. */
export class CaseContext {
  private readonly servers: EchoServer[] = [];
  private readonly clients: RawWs[] = [];
  private readonly dirs: string[] = [];

  constructor(readonly target: ConformanceTarget) {}

  async server(options: TransportOptions = {}): Promise<EchoServer> {
    const s = await startEchoServer(this.target, options);
    this.servers.push(s);
    return s;
  }

  /** A raw client that sent `request` (default: a valid upgrade for '/'). */
  async client(port: number, request?: string): Promise<RawWs> {
    const c = await RawWs.connect(port, request);
    this.clients.push(c);
    return c;
  }

  async upgraded(s: EchoServer): Promise<RawWs> {
    const c = await this.client(s.port);
    assert.equal(await c.upgraded(), 101, 'upgrade status');
    return c;
  }

  /** A fresh server and client; the client sends one frame; the server's Close code and the server. */
  async closedWith(
    opcode: number,
    payload: Buffer,
    options: Parameters<RawWs['send']>[2] = {},
  ): Promise<{ code: number; s: EchoServer }> {
    const s = await this.server();
    const c = await this.upgraded(s);
    c.send(opcode, payload, options);
    return { code: await c.closeCode(), s };
  }

  /** A temporary folder, removed by cleanup(). */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fastport-ws-'));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) c.destroy();
    for (const s of this.servers.splice(0)) {
      await s.transport.shutdown();
      for (const id of s.rec.opens.keys()) assert.ok(s.rec.closes.has(id), `session ${id} reported closed`);
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one case on a fresh context; a failure of the body wins over one of the cleanup. */
export async function runCase(target: ConformanceTarget, c: ConformanceCase): Promise<void> {
  const ctx = new CaseContext(target);
  try {
    await c.run(ctx);
  } catch (err) {
    await ctx.cleanup().catch(() => undefined);
    throw err;
  }
  await ctx.cleanup();
}

const violations = (s: EchoServer): number => Number(s.transport.stats().wsViolations);
const onlyClose = (s: EchoServer): string => [...s.rec.closes.values()][0].reason;

export function conformanceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const it = (name: string, run: (ctx: CaseContext) => Promise<void>, timeoutMs?: number): void => {
    cases.push({ name, run, timeoutMs });
  };

  it('echoes a FastPort frame carried in one binary message', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.upgraded(s);
    const frame = fastportFrame(100, 9, Buffer.from('hello over WebSocket'));
    c.send(2, frame);
    await waitFor(() => c.messages().length === 1, 'the echo');
    assert.ok(c.messages()[0].equals(frame), 'the echo is the same frame');
    assert.equal(Number(s.transport.stats().wsUpgrades), 1, 'wsUpgrades');
  });

  it('joins a fragmented message with ping / pong interleaved, and answers the ping', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.upgraded(s);
    const frame = fastportFrame(100, 5, Buffer.from('fragmented hello'));
    c.send(2, frame.subarray(0, 3), { fin: false });
    c.send(9, Buffer.from('ping-1'));
    c.send(0, frame.subarray(3, 12), { fin: false });
    c.send(10, Buffer.from('unsolicited pong'));
    c.send(0, frame.subarray(12), { fin: true });
    await waitFor(() => c.messages().length === 1, 'the echo');
    const pong = c.frames.find((f) => f.opcode === 10);
    assert.equal(pong?.payload.toString(), 'ping-1');
    assert.deepEqual(
      splitFrames(c.messages()[0]).map((f) => f.payload.toString()),
      ['fragmented hello'],
    );
  });

  it('answers a ping and a close whose frames arrive split across reads', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.upgraded(s);
    const bytesIn = (): number => Number(s.transport.stats().bytesIn);
    // Native engines count raw bytes: each part is awaited there, so the engine reads it on its own. The
    // node engine counts decoded bytes only, so there the parts are just written in order.
    const countsRawBytes = ctx.target.name !== 'node';
    const sendInParts = async (frame: Buffer, cuts: number[]): Promise<void> => {
      let from = 0;
      for (const to of [...cuts, frame.length]) {
        const before = bytesIn();
        c.socket.write(frame.subarray(from, to));
        if (countsRawBytes) await waitFor(() => bytesIn() >= before + to - from, 'the engine read the part');
        from = to;
      }
    };
    const payload = Buffer.from('a ping payload split in three reads');
    await sendInParts(RawWs.frame(9, payload), [4, 15]);
    await waitFor(() => c.frames.some((f) => f.opcode === 10), 'the pong');
    assert.equal(c.frames.find((f) => f.opcode === 10)?.payload.toString(), payload.toString());
    const close = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
    await sendInParts(RawWs.frame(8, close), [7]);
    assert.equal(await c.closeCode(), 1000);
  });

  it('carries a 1 MiB message in 64 KiB fragments', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.upgraded(s);
    const payload = Buffer.alloc(1024 * 1024 - 10, 7);
    const frame = fastportFrame(101, 1, payload);
    for (let at = 0; at < frame.length; at += 65536) {
      c.send(at === 0 ? 2 : 0, frame.subarray(at, at + 65536), { fin: at + 65536 >= frame.length });
    }
    await waitFor(() => c.messages().length === 1, 'the echo', 20_000);
    assert.ok(c.messages()[0].equals(frame), 'the echo is the same 1 MiB frame');
  }, 30_000);

  it('closes 1003 on a text message', async (ctx) => {
    const { code, s } = await ctx.closedWith(1, Buffer.from('hello'));
    assert.equal(code, 1003);
    assert.equal(violations(s), 1, 'wsViolations');
  });

  it('closes 1002 on an unmasked client frame', async (ctx) => {
    const { code } = await ctx.closedWith(2, fastportFrame(100, 1, Buffer.alloc(0)), { mask: false });
    assert.equal(code, 1002);
  });

  for (const rsv of [1, 2, 4]) {
    it(`closes 1002 on reserved bits ${rsv}`, async (ctx) => {
      assert.equal((await ctx.closedWith(2, fastportFrame(100, 1, Buffer.alloc(0)), { rsv })).code, 1002);
    });
  }

  for (const opcode of [3, 7, 11, 15]) {
    it(`closes 1002 on reserved opcode ${opcode}`, async (ctx) => {
      assert.equal((await ctx.closedWith(opcode, Buffer.alloc(4))).code, 1002);
    });
  }

  it('closes 1002 on a ping over 125 bytes and on a fragmented ping', async (ctx) => {
    assert.equal((await ctx.closedWith(9, Buffer.alloc(126))).code, 1002);
    assert.equal((await ctx.closedWith(9, Buffer.alloc(4), { fin: false })).code, 1002);
  });

  it('closes 1002 on a continuation without a message', async (ctx) => {
    assert.equal((await ctx.closedWith(0, Buffer.alloc(4))).code, 1002);
  });

  it('echoes a Close with its code and reason, reported as peer_closed', async (ctx) => {
    const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye ✓')]);
    const { code, s } = await ctx.closedWith(8, payload);
    assert.equal(code, 1000);
    await waitFor(() => s.rec.closes.size === 1, 'the close');
    assert.equal(onlyClose(s), 'peer_closed');
  });

  const badCloses: [string, Buffer, number][] = [
    ['code 1005 (reserved)', Buffer.from([0x03, 0xed]), 1002],
    ['code 999', Buffer.from([0x03, 0xe7]), 1002],
    ['a 1-byte payload', Buffer.from([0x03]), 1002],
    ['invalid UTF-8 in the reason', Buffer.from([0x03, 0xe8, 0xc3, 0x28]), 1007],
  ];
  for (const [what, payload, expected] of badCloses) {
    it(`closes on a Close with ${what}`, async (ctx) => {
      assert.equal((await ctx.closedWith(8, payload)).code, expected);
    });
  }

  it('closes 1009 on a message above maxFrameBytes', async (ctx) => {
    const s = await ctx.server({ maxFrameBytes: 4096, sendHardLimit: 1 << 20 });
    const c = await ctx.upgraded(s);
    c.send(2, fastportFrame(100, 1, Buffer.alloc(5000)));
    assert.equal(await c.closeCode(), 1009);
    await waitFor(() => s.rec.closes.size === 1, 'the close');
    assert.equal(onlyClose(s), 'frame_too_large');
  });

  it('closes 1007 on a message that ends inside a FastPort frame', async (ctx) => {
    const frame = fastportFrame(100, 1, Buffer.alloc(20));
    assert.equal((await ctx.closedWith(2, frame.subarray(0, 15))).code, 1007);
  });

  it('closes with a Close frame when the server closes a session', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.upgraded(s);
    await waitFor(() => s.rec.opens.size === 1, 'the session');
    s.transport.close([...s.rec.opens.keys()][0], 'kicked');
    assert.equal(await c.closeCode(), 1000);
  });

  it('closes a WebSocket frame left half sent at the frame deadline (frame_timeout, counted)', async (ctx) => {
    const s = await ctx.server({ frameTimeoutMs: 300 });
    const c = await ctx.upgraded(s);
    const whole = RawWs.frame(2, fastportFrame(100, 1, Buffer.alloc(50, 1)));
    c.socket.write(whole.subarray(0, 20));
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    assert.equal(onlyClose(s), 'frame_timeout');
    assert.equal(Number(s.transport.stats().closed), 1, 'closed');
    assert.equal(violations(s), 0, 'wsViolations');
  });

  it('keeps an unfinished fragmented message under the frame deadline, control frames or not', async (ctx) => {
    const s = await ctx.server({ frameTimeoutMs: 300 });
    const c = await ctx.upgraded(s);
    c.send(2, fastportFrame(100, 1, Buffer.from('first part')).subarray(0, 12), { fin: false });
    c.send(9, Buffer.from('still here'));
    await waitFor(() => c.frames.some((f) => f.opcode === 10), 'the pong');
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    assert.equal(onlyClose(s), 'frame_timeout');
  });

  it('declines a permessage-deflate offer (no extension in the 101)', async (ctx) => {
    const s = await ctx.server();
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`, { perMessageDeflate: true });
    ws.on('error', () => undefined);
    try {
      await new Promise((resolve) => ws.once('open', resolve));
      assert.equal(ws.extensions, '');
      const reply = new Promise<Buffer>((resolve) => ws.once('message', resolve));
      ws.send(fastportFrame(100, 3, Buffer.from('plain')));
      assert.equal(splitFrames(await reply)[0].payload.toString(), 'plain');
    } finally {
      ws.terminate();
    }
  });

  it('closes a slow upgrade request at the frame deadline', async (ctx) => {
    const s = await ctx.server({ frameTimeoutMs: 300 });
    const c = await ctx.client(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    await waitFor(() => c.ended, 'the close');
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    assert.equal(onlyClose(s), 'frame_timeout');
  });

  it('answers an upgrade request over 8 KiB with 431 and closes', async (ctx) => {
    const s = await ctx.server();
    const c = await ctx.client(s.port, RawWs.upgradeRequest('/', { 'X-Padding': 'a'.repeat(9000) }));
    assert.equal(await c.upgraded(), 431);
    await waitFor(() => c.ended, 'the close');
  });

  it('answers every key with the RFC 6455 Sec-WebSocket-Accept (checked with node:crypto)', async (ctx) => {
    const s = await ctx.server();
    for (let i = 0; i < 32; i++) {
      const key = randomBytes(16).toString('base64');
      const c = await ctx.client(s.port, RawWs.upgradeRequest('/', { 'Sec-WebSocket-Key': key }));
      assert.equal(await c.upgraded(), 101);
      const expected = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      const field = c.head.split('\r\n').find((line) => /^sec-websocket-accept:/i.test(line));
      assert.equal(field?.slice(field.indexOf(':') + 1).trim(), expected, `the accept value for ${key}`);
      c.destroy();
    }
  });

  it('refuses another path (404), a foreign origin (403) and a bad version (426)', async (ctx) => {
    const s = await ctx.server({ wsPath: '/game', origins: ['http://good.example'] });
    const tries: [string, Record<string, string>, number][] = [
      ['/', { Origin: 'http://good.example' }, 404],
      ['/game', { Origin: 'http://evil.example' }, 403],
      ['/game', { Origin: 'http://good.example', 'Sec-WebSocket-Version': '12' }, 426],
      ['/game?x=1', { Origin: 'http://good.example' }, 101],
    ];
    for (const [path, headers, status] of tries) {
      const c = await ctx.client(s.port, RawWs.upgradeRequest(path, headers));
      assert.equal(await c.upgraded(), status, `${path} ${JSON.stringify(headers)}`);
    }
  });

  it('serves a static file for a plain GET, 404 outside the folder', async (ctx) => {
    const staticDir = ctx.tempDir();
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>hi</title>');
    const s = await ctx.server({ staticDir });
    const page = await ctx.client(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const outside = await ctx.client(s.port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(await page.upgraded(), 200);
    assert.equal(await outside.upgraded(), 404);
    await waitFor(() => page.ended, 'the close after the page');
  });

  it('keeps FastPort TCP working on the same port, and stays off with websocket: false', async (ctx) => {
    const s = await ctx.server({ websocket: false });
    const c = await ctx.client(s.port);
    await waitFor(() => c.ended, 'the close');
    assert.equal(c.status, 0, "no HTTP answer: 'GET ' is read as a FastPort length far above maxFrameBytes");
    await waitFor(() => s.rec.closes.size === 1, 'the close event');
    assert.equal(onlyClose(s), 'frame_too_large');
  });

  return cases;
}
