/**
 * EMFILE on accept: a server process started with a low fd limit (`ulimit -n 96`) runs out of descriptors;
 * the uring engine pauses accepting (counted in acceptPaused), keeps serving its sessions, and accepts the
 * waiting connections once descriptors are free again.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';

const loader = path.resolve(__dirname, '../../dist/framework/transport/loader.js');

// The server: echoes every frame; prints its port, then its stats whenever a line arrives on stdin.
const SERVER_SOURCE = `
const b = require(${JSON.stringify(loader)}).loadBinding();
let engine;
engine = new b.Engine({ engine: 'uring' }, (batch, length) => {
  const view = new DataView(batch, 0, length);
  const out = [];
  for (let at = 0; at < length; ) {
    const type = view.getUint8(at), size = view.getUint32(at + 12, true);
    let frame = null;
    if (type === 2) {
      frame = Buffer.alloc(10 + size);
      frame.writeUInt32BE(frame.length, 0);
      frame.writeUInt16BE(view.getUint16(at + 2, true), 4);
      frame.writeUInt32BE(view.getUint32(at + 8, true), 6);
      Buffer.from(batch, at + 16, size).copy(frame, 10);
    } else if (type === 7) {
      frame = Buffer.from(batch, at + 16, size); // FRAMES: whole wire frames, echoed as they are
    }
    if (frame) {
      const cmd = Buffer.alloc(12 + frame.length + ((4 - (frame.length & 3)) & 3));
      cmd.writeUInt8(1, 0);
      cmd.writeUInt32LE(view.getUint32(at + 4, true), 4);
      cmd.writeUInt32LE(frame.length, 8);
      frame.copy(cmd, 12);
      out.push(cmd);
    }
    at += 16 + size + ((4 - (size & 3)) & 3);
  }
  if (out.length) { const log = Buffer.concat(out); engine.submit(log, log.length); }
});
console.log(JSON.stringify({ port: engine.listen('127.0.0.1', 0, 1024).port }));
require('readline').createInterface({ input: process.stdin }).on('line', () => console.log(JSON.stringify(engine.stats())));
process.stdin.on('end', () => { engine.shutdown(); process.exit(0); });
`;

class ServerProcess {
  private lines: string[] = [];
  private waiter: (() => void) | null = null;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiter?.();
    });
  }

  async next(): Promise<Record<string, number>> {
    while (this.lines.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server process did not answer')), 10_000);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
    return JSON.parse(this.lines.shift()!) as Record<string, number>;
  }

  async stats(): Promise<Record<string, number>> {
    this.child.stdin.write('stats\n');
    return this.next();
  }

  /** Polls stats until check passes (EMFILE pauses produce no event the client could await). */
  async until(check: (s: Record<string, number>) => boolean, what: string): Promise<Record<string, number>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const s = await this.stats();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const children: ChildProcessWithoutNullStreams[] = [];
const clients: RawClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const child of children.splice(0)) child.kill();
});

describe('uring engine out of descriptors', () => {
  it('pauses accepting on EMFILE, keeps serving, resumes when descriptors free up', async () => {
    const child = spawn(
      '/bin/sh',
      ['-c', 'ulimit -n 96 && exec "$0" -e "$URING_SERVER_SOURCE"', process.execPath],
      {
        env: { ...process.env, URING_SERVER_SOURCE: SERVER_SOURCE, LOG_LEVEL: 'warn' }, // only its own lines
      },
    );
    children.push(child);
    const server = new ServerProcess(child);
    const { port } = await server.next();

    const total = 150; // more than the server's 96 descriptors
    for (let i = 0; i < total; i++) clients.push(await RawClient.connect(port)); // queued by the kernel
    const paused = await server.until((s) => s.acceptPaused > 0, 'an accept pause');
    expect(paused.accepted).toBeLessThan(total);

    // Sessions it did accept are still served.
    const first = clients[0];
    const probe = frame(100, 42, pattern(300, 1));
    await first.write(probe);
    await first.until(() => first.frames.length === 1, 'echo while accepting is paused');
    expect(first.frames[0].payload.equals(pattern(300, 1))).toBe(true);

    // Free descriptors: close 80 clients; the rest of the queue gets accepted after the pause.
    for (const c of clients.slice(0, 80)) c.destroy();
    const resumed = await server.until((s) => s.accepted === total, 'every queued connection accepted');
    expect(resumed.sessions).toBe(total - 80);
    child.stdin.end();
  });
});
