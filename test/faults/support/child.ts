/** Spawns child-server.ts (optionally under `prlimit --nofile=`), reads its port, asks for its counters. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EngineName } from '../../../framework/transport/transport';

const here = __dirname;

export interface ChildServer {
  process: ChildProcess;
  port: number;
  /** Open fds of the child right after it started listening (read from /proc/<pid>/fd). */
  startFds: number;
  /** Lines the child printed after its first one (e.g. {"stopped":true}). */
  lines: string[];
  stats(): Promise<{ stats: Record<string, number | string>; memory?: NodeJS.MemoryUsage; fds: number }>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(): void;
}

export async function startChild(
  engine: EngineName,
  options: { limits?: Record<string, unknown>; nofile?: number; exposeGc?: boolean } = {},
): Promise<ChildServer> {
  const node = [
    process.execPath,
    ...(options.exposeGc ? ['--expose-gc'] : []),
    '-r',
    join(here, 'ts-register.cjs'),
    join(here, 'child-server.ts'),
    engine,
  ];
  const argv = options.nofile ? ['prlimit', `--nofile=${options.nofile}:${options.nofile}`, ...node] : node;
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    // LOG_LEVEL=warn: stdout carries only the child's own lines (not the addon-loaded log line).
    env: { ...process.env, LOG_LEVEL: 'warn', FAULT_CHILD_LIMITS: JSON.stringify(options.limits ?? {}) },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout! });
  const fds = (): number => readdirSync(`/proc/${child.pid}/fd`).length;
  const first = await new Promise<{ port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child server did not start within 15 s')), 15_000);
    reader.on('line', (line) => {
      if (lines.length === 0 && line.startsWith('{"port"')) {
        clearTimeout(timer);
        lines.push(line);
        resolve(JSON.parse(line) as { port: number });
      } else lines.push(line);
    });
    void exited.then((code) => reject(new Error(`child server exited with ${code} before listening`)));
  });
  lines.shift();
  return {
    process: child,
    port: first.port,
    startFds: fds(),
    lines,
    exited,
    stats: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('child server did not answer stats in 5 s')), 5000);
        child.once('message', (message) => {
          clearTimeout(timer);
          const { stats, memory } = message as {
            stats: Record<string, number | string>;
            memory?: NodeJS.MemoryUsage;
          };
          resolve({ stats, memory, fds: fds() });
        });
        child.send('stats');
      }),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
