/**
 * A sample server (samples/<name>/server.ts, engine node, log level info) as a child process with its
 * flags, e.g. `--cluster URL --node NAME --port 0`: resolves with its port once its start-up log line says
 * where it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');
const REGISTER = join(REPO, 'test', 'faults', 'support', 'ts-register.cjs');

export class SampleProcess {
  private constructor(
    readonly port: number,
    readonly child: ChildProcess,
    readonly output: () => string,
  ) {}

  static start(sample: 'chat' | 'grid', flags: string[]): Promise<SampleProcess> {
    const script = join(REPO, 'samples', sample, 'server.ts');
    const child = spawn(
      process.execPath,
      ['-r', REGISTER, script, '--engine', 'node', '--log-level', 'info', ...flags],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    return new Promise((resolve, reject) => {
      const late = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${sample} server did not listen within 20 s:\n${out}`));
      }, 20_000);
      child.once('exit', () => clearTimeout(late));
      const read = (chunk: Buffer): void => {
        out += chunk.toString('utf8');
        const listening = /listening on [^:\s]+:(\d+)/.exec(out);
        if (!listening) return;
        clearTimeout(late);
        resolve(new SampleProcess(Number(listening[1]), child, () => out));
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code, signal) =>
        reject(new Error(`${sample} server exited (${code ?? signal}):\n${out}`)),
      );
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no goodbye. */
  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
