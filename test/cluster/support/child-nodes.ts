/** Cluster nodes as child processes (real processes: kill -9 is a real crash), driven through GameClients. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { GameClient } from '../../../framework/client/game-client';

const REPO = join(__dirname, '..', '..', '..');
const REGISTER = join(REPO, 'test', 'faults', 'support', 'ts-register.cjs');
const MAIN = join(__dirname, 'node-main.ts');

export class ChildNode {
  private constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
    readonly output: () => string,
  ) {}

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the node; rejects with the node's own error text when it refuses to start. */
  static start(
    natsUrl: string,
    name: string,
    leaseTtlMs: number,
    extra: string[] = [],
    env: Record<string, string> = {},
  ): Promise<ChildNode> {
    const child = spawn(
      process.execPath,
      ['-r', REGISTER, MAIN, natsUrl, name, String(leaseTtlMs), ...extra],
      {
        cwd: REPO,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const ready = /READY (\{.*\})/.exec(out);
        if (ready)
          resolve(new ChildNode(name, (JSON.parse(ready[1]) as { port: number }).port, child, () => out));
        const failed = /FAILED (\{.*\})/.exec(out);
        if (failed) reject(new Error((JSON.parse(failed[1]) as { error: string }).error));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`node ${name} exited (${code ?? signal}):\n${out}`)),
      );
    });
  }

  connect(): Promise<GameClient> {
    return GameClient.connect({ host: '127.0.0.1', port: this.port });
  }

  /** SIGKILL: no goodbye, the lease has to expire. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
