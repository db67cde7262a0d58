// The idle-memory measurement of scenarios e and wse (bench/runner/idle-memory.ts) against a server that
// holds a known amount of memory per connection, and the load generator's early stop it relies on.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureIdleMemory } from '../../bench/runner/idle-memory';
import { LOADGEN_BIN, REFERENCE_BIN, REPO_ROOT } from '../../bench/runner/paths';
import { ServerProcess, freePort, startLoadgen } from '../../bench/runner/processes';

const HELD_BYTES = 256 * 1024;

/** A node:net server that keeps HELD_BYTES of touched memory for every open connection. */
const holdingServer = `
const net = require('node:net');
const held = new Set();
net.createServer((socket) => {
  const block = Buffer.alloc(${HELD_BYTES}, 1);
  held.add(block);
  socket.on('error', () => {});
  socket.on('close', () => held.delete(block));
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('READY'));
`;

const idle = (port: number) => (conns: number) => [
  LOADGEN_BIN,
  '--port',
  String(port),
  '--mode',
  'idle',
  '--conns',
  String(conns),
  '--warmup',
  '0',
  '--grace',
  '0',
];

describe('idle memory measurement', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bench', 'build-native.js')], { stdio: 'inherit' });
  });

  it('a SIGTERM ends an idle hold early and the load generator still reports', async () => {
    const port = await freePort();
    const reference = await ServerProcess.start([REFERENCE_BIN, '--port', String(port)], port);
    try {
      const held = startLoadgen([...idle(port)(30), '--duration', '600'], async (connected) => {
        held.stop();
        return connected;
      });
      const { report, measured } = await held.run;
      expect(measured).toBe(30);
      expect(report.connected).toBe(30);
      expect(report.errors).toBe(0);
    } finally {
      await reference.stop();
    }
  });

  it('reports the whole growth and the marginal cost per connection of what each session holds', async () => {
    const port = await freePort();
    const server = await ServerProcess.start([process.execPath, '-e', holdingServer, String(port)], port);
    try {
      const result = await measureIdleMemory(server.pid, 100, idle(port));
      expect(result.report.connected).toBe(100);
      expect(result.report.conns).toBe(100);
      expect(result.report.errors).toBe(0);
      // Each connection holds HELD_BYTES; the server's fixed costs are a small share of 100 of them.
      expect(result.marginalBytesPerConn).toBeGreaterThan(0.85 * HELD_BYTES);
      expect(result.marginalBytesPerConn).toBeLessThan(1.3 * HELD_BYTES);
      expect(result.bytesPerConn).toBeGreaterThan(0.85 * HELD_BYTES);
      expect(result.bytesPerConn).toBeLessThan(1.3 * HELD_BYTES);
    } finally {
      await server.stop();
    }
  });

  it('refuses fewer than one connection per burst', async () => {
    await expect(measureIdleMemory(process.pid, 1, () => [])).rejects.toThrow('at least 2 connections');
  });
});
