// Functional test of the benchmark's native load generator (no timing assertions): it matches answers
// to requests by seq, counts errors, and its verify mode catches a server that corrupts the echo.
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADGEN_BIN, REFERENCE_BIN, REPO_ROOT } from '../../bench/runner/paths';
import { ServerProcess, freePort, runLoadgen } from '../../bench/runner/processes';

type FrameHandler = (frame: Buffer, socket: net.Socket) => void;

/** A node:net server that splits frames and hands each one to onFrame. */
async function frameServer(onFrame: FrameHandler): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 10 && pending.length >= pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        onFrame(Buffer.from(pending.subarray(0, length)), socket);
        pending = pending.subarray(length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

const echo: FrameHandler = (frame, socket) => socket.write(frame);
const short = ['--duration', '0.6', '--warmup', '0.2', '--grace', '2'];

describe('bench load generator', () => {
  const servers: net.Server[] = [];

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bench', 'build-native.js')], { stdio: 'inherit' });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function inTestServer(onFrame: FrameHandler): Promise<number> {
    const { server, port } = await frameServer(onFrame);
    servers.push(server);
    return port;
  }

  it('drives the reference server with zero errors and every request answered', async () => {
    const port = await freePort();
    const reference = await ServerProcess.start([REFERENCE_BIN, '--port', String(port)], port);
    try {
      const args = ['--port', String(port), '--conns', '8', '--depth', '4', '--verify', '--threads', '2'];
      const { report } = await runLoadgen([
        LOADGEN_BIN,
        ...args,
        '--min-size',
        '0',
        '--max-size',
        '3000',
        ...short,
      ]);
      expect(report.connected).toBe(8);
      expect(report.received).toBeGreaterThan(0);
      expect(report.errors).toBe(0);
      expect(report.outstanding_at_end).toBe(0);
      expect(report.latency_us.samples).toBe(report.received);
      expect(report.latency_us.p50).toBeLessThanOrEqual(report.latency_us.p99);
    } finally {
      await reference.stop();
    }
  });

  it('drives a node:net echo server in open loop with zero errors', async () => {
    const port = await inTestServer(echo);
    const args = ['--port', String(port), '--conns', '4', '--rate', '2000', '--verify'];
    const { report } = await runLoadgen([LOADGEN_BIN, ...args, ...short]);
    expect(report.loop).toBe('open');
    expect(report.received).toBeGreaterThan(0);
    expect(report.errors).toBe(0);
    expect(report.outstanding_at_end).toBe(0);
  });

  it('verify mode counts every echo with a flipped payload byte', async () => {
    const port = await inTestServer((frame, socket) => {
      frame[frame.length - 1] ^= 0x01;
      socket.write(frame);
    });
    const { report } = await runLoadgen([LOADGEN_BIN, '--port', String(port), '--verify', ...short]);
    expect(report.received).toBeGreaterThan(0);
    expect(report.verify_errors).toBeGreaterThanOrEqual(report.received);
    expect(report.errors).toBe(report.verify_errors);
  });

  it('counts answers whose seq matches no request', async () => {
    const port = await inTestServer((frame, socket) => {
      frame.writeUInt32BE(frame.readUInt32BE(6) + 1000, 6);
      socket.write(frame);
    });
    const args = [
      '--port',
      String(port),
      '--depth',
      '2',
      '--duration',
      '0.4',
      '--warmup',
      '0.1',
      '--grace',
      '0.2',
    ];
    const { report } = await runLoadgen([LOADGEN_BIN, ...args]);
    expect(report.seq_errors).toBeGreaterThan(0);
    expect(report.received).toBe(0);
    expect(report.outstanding_at_end).toBe(2);
  });

  it('sends the Hello first and speaks EchoReq/EchoRes with the payload as protobuf field 1', async () => {
    const hello = Buffer.from('0000000c000100000001abcd', 'hex');
    const firstFrames: Buffer[] = [];
    const port = await inTestServer((frame, socket) => {
      if (firstFrames.length < 2) firstFrames.push(frame);
      if (frame.readUInt16BE(4) !== 100) return;
      const answer = Buffer.from(frame);
      answer.writeUInt16BE(101, 4);
      socket.write(answer);
    });
    const args = [
      '--port',
      String(port),
      '--msg-id',
      '100',
      '--expect-id',
      '101',
      '--wrap-proto',
      '--verify',
    ];
    const { report } = await runLoadgen([
      LOADGEN_BIN,
      ...args,
      '--hello-hex',
      hello.toString('hex'),
      ...short,
    ]);
    expect(report.errors).toBe(0);
    expect(report.received).toBeGreaterThan(0);
    expect(firstFrames[0]).toEqual(hello);
    const request = firstFrames[1];
    expect(request.readUInt16BE(4)).toBe(100);
    expect(request.subarray(10, 12)).toEqual(Buffer.from([0x0a, 64])); // field 1, wire type 2, 64 bytes
    expect(request.length).toBe(10 + 2 + 64);
  });

  it('counts broadcast deliveries from the reference server in broadcast mode', async () => {
    const port = await freePort();
    const reference = await ServerProcess.start([REFERENCE_BIN, '--port', String(port), '--broadcast'], port);
    try {
      const args = ['--port', String(port), '--mode', 'broadcast', '--conns', '20', '--senders', '2'];
      const { report } = await runLoadgen([LOADGEN_BIN, ...args, '--rate', '200', '--size', '16', ...short]);
      expect(report.errors).toBe(0);
      expect(report.sent).toBeGreaterThan(0);
      expect(report.received).toBeGreaterThan(report.sent); // every frame reaches all 20 members
      expect(report.latency_us.samples).toBe(report.received);
    } finally {
      await reference.stop();
    }
  });

  it('holds idle connections and reports when they are all up', async () => {
    const port = await inTestServer(echo);
    let announced = -1;
    const run = await runLoadgen(
      [LOADGEN_BIN, '--port', String(port), '--mode', 'idle', '--conns', '50', '--duration', '0.3'],
      async (connected) => {
        announced = connected;
        return connected;
      },
    );
    expect(announced).toBe(50);
    expect(run.report.connected).toBe(50);
    expect(run.report.sent).toBe(0);
    expect(run.report.errors).toBe(0);
  });

  it('rejects bad options with a message and exit code 2', async () => {
    await expect(runLoadgen([LOADGEN_BIN, '--port', '1', '--size', 'x'])).rejects.toThrow(/code 2.*--size/s);
    await expect(runLoadgen([LOADGEN_BIN, '--conns', '4'])).rejects.toThrow(/--port is required/);
    await expect(runLoadgen([LOADGEN_BIN, '--port', '1', '--hello-hex', '0011'])).rejects.toThrow(
      /at least 10/,
    );
  });

  it('counts connections it cannot open as errors', async () => {
    const port = await freePort(); // nobody listens there
    const { report } = await runLoadgen([LOADGEN_BIN, '--port', String(port), '--conns', '3', ...short]);
    expect(report.connect_errors).toBe(3);
    expect(report.errors).toBe(3);
  });
});
