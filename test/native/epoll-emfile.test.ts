/**
 * Out of file descriptors: a server process under a low fd limit (prlimit) pauses accepting on EMFILE
 * (counted in acceptPaused) instead of spinning or crashing, keeps serving, and accepts the waiting
 * connections once descriptors are free again.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const FD_LIMIT = 64;
const CLIENTS = 90;
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

class ServerProcess {
  private lines: string[] = [];
  private wake?: () => void;
  readonly child: ChildProcessWithoutNullStreams;

  constructor(ioThreads: number) {
    const script = join(__dirname, 'fixtures', 'emfile-server.cjs');
    // LOG_LEVEL=warn: stdout carries only the child's own lines (not the addon-loaded log line).
    this.child = spawn(
      'prlimit',
      [`--nofile=${FD_LIMIT}:${FD_LIMIT}`, process.execPath, script, String(ioThreads)],
      {
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    let buffered = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        this.lines.push(buffered.slice(0, i));
        buffered = buffered.slice(i + 1);
      }
      this.wake?.();
    });
  }

  async line(): Promise<Record<string, number>> {
    const deadline = Date.now() + 5000;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`server exited with ${this.child.exitCode}`);
      if (Date.now() > deadline) throw new Error('server did not answer');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return JSON.parse(this.lines.shift() as string) as Record<string, number>;
  }

  async stats(): Promise<Record<string, number>> {
    this.child.stdin.write('stats\n');
    return this.line();
  }

  /** Polls stats until ready(stats) (no event crosses the process boundary for counters). */
  async statsUntil(
    what: string,
    ready: (s: Record<string, number>) => boolean,
  ): Promise<Record<string, number>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const s = await this.stats();
      if (ready(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

describe.skipIf(!hasPrlimit).each([0, 2])('epoll engine out of fds (ioThreads: %i)', (ioThreads) => {
  let server: ServerProcess | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
    server?.child.kill();
  });

  it('pauses accepting on EMFILE, keeps running, and accepts the waiting connections later', async () => {
    server = new ServerProcess(ioThreads);
    const { port } = await server.line();
    // More connections than the server has descriptors: the kernel completes them all (backlog 1024).
    for (let i = 0; i < CLIENTS; i++) {
      const s = await open(port);
      s.on('error', () => undefined);
      sockets.push(s);
    }
    const starved = await server.statsUntil('an accept pause', (s) => s.acceptPaused > 0);
    expect(starved.accepted).toBeLessThan(CLIENTS);
    expect(starved.sessions).toBe(starved.accepted);

    // Free descriptors: two thirds of the clients leave, so the rest fit under the limit together with the
    // process's own descriptors; they get accepted after the pause.
    const leaving = sockets.splice(0, (CLIENTS * 2) / 3);
    for (const s of leaving) s.destroy();
    const recovered = await server.statsUntil(
      'every connection accepted and every leaver closed',
      (s) => s.accepted === CLIENTS && s.closed === leaving.length,
    );
    expect(recovered.sessions).toBe(CLIENTS - leaving.length);
    expect(recovered.closed).toBe(leaving.length);
    expect(server.child.exitCode).toBeNull();
    server.child.stdin.write('exit\n');
    await new Promise((resolve) => server?.child.once('exit', resolve));
    expect(server.child.exitCode).toBe(0);
  });
});
