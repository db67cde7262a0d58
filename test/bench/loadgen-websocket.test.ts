// The load generator's WebSocket mode (--ws) against real servers: the FastPort framework echo on epoll,
// the hand-written `ws` baseline (bench/servers/ws-fullpath.ts), and a node:net server in this test that
// does the upgrade itself and checks every client frame on the wire (masked, a fresh key per message,
// one FastPort frame per message). Behaviour only: answers arrive, nothing is counted as an error.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelloHex, frameworkProtocolVersion } from '../../bench/runner/hello';
import { DIST, LOADGEN_BIN, REPO_ROOT } from '../../bench/runner/paths';
import { ServerProcess, freePort, runLoadgen } from '../../bench/runner/processes';
import { startEchoServer } from '../../samples/echo/server';
import { nativeEngineProblems, reportMissingEngine } from '../support/engines';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const oneSecond = ['--duration', '1', '--warmup', '0.2', '--grace', '2'];
const epollProblem = nativeEngineProblems().get('epoll') ?? 'not an engine of this platform';
if (epollProblem !== '') reportMissingEngine('epoll', epollProblem);

function frameworkEchoArgs(port: number): string[] {
  const hello = buildHelloHex(frameworkProtocolVersion());
  return [
    LOADGEN_BIN,
    '--port',
    String(port),
    '--ws',
    '/',
    '--msg-id',
    '100',
    '--expect-id',
    '101',
    '--wrap-proto',
    '--hello-hex',
    hello,
    '--verify',
  ];
}

interface ClientFrame {
  opcode: number;
  maskKey: Buffer;
  payload: Buffer; // unmasked
}

/** Splits client frames (RFC 6455: always masked) off the front of data; returns the rest. */
function takeClientFrames(data: Buffer, out: ClientFrame[]): Buffer {
  for (;;) {
    if (data.length < 2) return data;
    const masked = (data[1] & 0x80) !== 0;
    let length = data[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (data.length < 4) return data;
      length = data.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (data.length < 10) return data;
      length = Number(data.readBigUInt64BE(2));
      at = 10;
    }
    const maskBytes = masked ? 4 : 0;
    if (data.length < at + maskBytes + length) return data;
    const maskKey = data.subarray(at, at + maskBytes);
    const payload = Buffer.from(data.subarray(at + maskBytes, at + maskBytes + length));
    for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i % 4];
    out.push({ opcode: data[0], maskKey: Buffer.from(maskKey), payload });
    data = data.subarray(at + maskBytes + length);
  }
}

function serverMessage(payload: Buffer): Buffer {
  const header =
    payload.length < 126
      ? Buffer.from([0x82, payload.length])
      : Buffer.from([0x82, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** A WebSocket echo written against the RFC in this test: answers the upgrade, echoes each message. */
async function inspectingEchoServer(seen: ClientFrame[]): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1] ?? '';
        const accept = createHash('sha1')
          .update(key + WS_GUID)
          .digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        upgraded = true;
        pending = pending.subarray(end + 4);
      }
      const frames: ClientFrame[] = [];
      pending = takeClientFrames(pending, frames);
      seen.push(...frames);
      for (const frame of frames) socket.write(serverMessage(frame.payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe('bench load generator over WebSocket', () => {
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bench', 'build-native.js')], { stdio: 'inherit' });
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.skipIf(epollProblem !== '')(
    'drives the FastPort framework echo on epoll with zero errors, echo and idle',
    async () => {
      const { server, port } = await startEchoServer({ port: 0, engine: 'epoll', logLevel: 'silent' });
      cleanups.push(() => server.stop());
      const echo = await runLoadgen([
        ...frameworkEchoArgs(port),
        '--conns',
        '4',
        '--depth',
        '4',
        ...oneSecond,
      ]);
      expect(echo.report.websocket).toBe(true);
      expect(echo.report.connected).toBe(4);
      expect(echo.report.received).toBeGreaterThan(0);
      expect(echo.report.errors).toBe(0);
      expect(echo.report.outstanding_at_end).toBe(0);

      let announced = -1;
      const idleArgs = ['--mode', 'idle', '--conns', '20', '--duration', '0.3'];
      const idle = await runLoadgen([...frameworkEchoArgs(port), ...idleArgs], async (connected) => {
        announced = connected;
        return connected;
      });
      expect(announced).toBe(20);
      expect(idle.report.errors).toBe(0);
    },
  );

  it('drives the hand-written ws baseline (ws-fullpath) with zero errors', async () => {
    const script = path.join(DIST, 'bench', 'servers', 'ws-fullpath.js');
    if (!fs.existsSync(script)) throw new Error(`missing ${script}: run npm run build first`);
    const port = await freePort();
    const baseline = await ServerProcess.start([process.execPath, script, '--port', String(port)], port);
    cleanups.push(() => baseline.stop());
    const args = [...frameworkEchoArgs(port), '--conns', '4', '--depth', '4', '--size', '4096', ...oneSecond];
    const { report } = await runLoadgen(args);
    expect(report.connected).toBe(4);
    expect(report.received).toBeGreaterThan(0);
    expect(report.errors).toBe(0);
    expect(baseline.tail).toMatch(/bufferutil=yes/);
  });

  it('sends each frame as one masked binary message with a fresh key, and reads the echoes back', async () => {
    const seen: ClientFrame[] = [];
    const { server, port } = await inspectingEchoServer(seen);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const sizes = ['--min-size', '0', '--max-size', '300'];
    const args = ['--port', String(port), '--ws', '/', '--conns', '2', '--depth', '2', '--verify', ...sizes];
    const { report } = await runLoadgen([LOADGEN_BIN, ...args, ...oneSecond]);
    expect(report.errors).toBe(0);
    expect(report.received).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(10);
    for (const frame of seen.slice(0, 200)) {
      expect(frame.opcode).toBe(0x82); // FIN + binary
      expect(frame.maskKey.length).toBe(4);
      expect(frame.payload.readUInt32BE(0)).toBe(frame.payload.length); // exactly one FastPort frame
    }
    const keys = new Set(seen.slice(0, 200).map((frame) => frame.maskKey.toString('hex')));
    expect(keys.size).toBeGreaterThan(seen.slice(0, 200).length / 2);
  });

  it('counts an upgrade the server refuses (404 for another path) as a connect error', async () => {
    const { server, port } = await startEchoServer({ port: 0, engine: 'node', logLevel: 'silent' });
    cleanups.push(() => server.stop());
    const args = ['--port', String(port), '--ws', '/elsewhere', '--conns', '3'];
    const { report } = await runLoadgen([LOADGEN_BIN, ...args, '--duration', '0.2', '--warmup', '0']);
    expect(report.connected).toBe(0);
    expect(report.connect_errors).toBe(3);
    expect(report.received).toBe(0);
  });
});
