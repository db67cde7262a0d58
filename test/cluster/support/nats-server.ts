/**
 * A real nats-server with JetStream for cluster tests: `-p -1` lets the OS pick the port (read from its log),
 * the store lives in a fresh temp dir removed on stop. `restart()` starts it again on the same port and
 * store, to check that nodes survive a NATS restart. Tests skip visibly when nats-server is missing (and
 * fail when CI=true: .ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function natsServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** Why the cluster tests cannot run here, or undefined when they can; throws on CI without nats-server. */
export function natsSkipReason(): string | undefined {
  if (natsServerPath() !== undefined) return undefined;
  if (process.env.CI === 'true')
    throw new Error('nats-server is not installed (CI must install it: .ci/run)');
  return 'nats-server is not installed (apt-get install nats-server): cluster tests skipped';
}

export class NatsServer {
  private child: ChildProcess | undefined;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'fastport-nats-'));
  port = 0;

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServer> {
    const server = new NatsServer();
    await server.launch(-1);
    return server;
  }

  /** Kills the server (SIGKILL) and starts it again on the same port with the same store. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch(this.port);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private launch(port: number): Promise<void> {
    const child = spawn(
      natsServerPath() ?? 'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', this.storeDir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    return new Promise((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer): void => {
        log += chunk.toString('utf8');
        const listening = /Listening for client connections on [^\s]+:(\d+)/.exec(log);
        if (listening && /Server is ready/.test(log)) {
          this.port = Number(listening[1]);
          child.stderr?.off('data', onData);
          child.stderr?.resume();
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)),
      );
      child.once('error', reject);
    });
  }
}
