/** Child processes of the suite: servers (started, awaited until ready, stopped) and load generator runs. */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { LoadgenReport, parseLoadgenReport } from './loadgen-report';

const READY_LINE = /\bREADY\b|listening/i;
const TAIL_CHARS = 2000;

/** argv prefixed with `taskset -c <cpus>` when cpus is set. */
export function pinned(argv: string[], cpus: string | undefined): string[] {
  return cpus ? ['taskset', '-c', cpus, ...argv] : argv;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ServerProcess {
  private output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('server has no pid');
    return this.child.pid;
  }

  /** The process is gone (exited or killed). */
  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Last lines the server printed (for error messages). */
  get tail(): string {
    return this.output.trim();
  }

  /**
   * Spawns argv and resolves once it prints a ready line (READY / listening) or accepts a connection on
   * port, whichever comes first; rejects if it exits first or timeoutMs passes.
   */
  static async start(argv: string[], port: number, timeoutMs = 15_000): Promise<ServerProcess> {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, port);
    let settled = false;
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (why: string): void => {
        settled = true;
        reject(new Error(`${why}${server.tail ? `: ${server.tail.split('\n').slice(-5).join(' | ')}` : ''}`));
      };
      child.once('error', (error) => fail(`cannot start ${argv[0]}: ${error.message}`));
      void server.exited.then((code) => !settled && fail(`exited with code ${code} before it was ready`));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (!settled && READY_LINE.test(chunk.toString('utf8'))) {
          settled = true;
          resolve();
        }
      });
      const deadline = Date.now() + timeoutMs;
      const probe = async (): Promise<void> => {
        while (!settled && Date.now() < deadline) {
          if (await canConnect(port)) {
            settled = true;
            resolve();
            return;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        if (!settled) fail(`not ready after ${timeoutMs} ms`);
      };
      void probe();
    });
    try {
      await ready;
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface LoadgenRun {
  report: LoadgenReport;
  /** Set in idle mode: called when all connections are up; its result is returned as `measured`. */
  measured?: number;
}

/** A load generator run under way: `run` settles when it exits; `stop` ends it early (SIGTERM), and it still
    prints its report. */
export interface StartedLoadgen {
  run: Promise<LoadgenRun>;
  stop(): void;
}

/**
 * Runs the load generator to completion and parses its report. onConnected (idle mode) runs when the
 * generator says all connections are up, while they are still held open.
 */
export function runLoadgen(
  argv: string[],
  onConnected?: (connected: number) => Promise<number>,
  timeoutMs = 600_000,
): Promise<LoadgenRun> {
  return startLoadgen(argv, onConnected, timeoutMs).run;
}

/** runLoadgen, with a handle to end the run before its --duration is over. */
export function startLoadgen(
  argv: string[],
  onConnected?: (connected: number) => Promise<number>,
  timeoutMs = 600_000,
): StartedLoadgen {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = new Promise<LoadgenRun>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let measured: Promise<number> | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /LOADGEN CONNECTED (\d+)/.exec(stderr);
      if (match && onConnected && measured === undefined) measured = onConnected(Number(match[1]));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the load generator: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`load generator exited with code ${code}: ${stderr.trim().slice(0, 500)}`));
        return;
      }
      try {
        const report = parseLoadgenReport(stdout);
        if (measured === undefined) {
          resolve({ report });
          return;
        }
        measured.then((value) => resolve({ report, measured: value }), reject);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
  return { run, stop: () => child.exitCode === null && child.kill('SIGTERM') };
}
