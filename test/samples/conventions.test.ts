/**
 * The sample programs' command-line and logging conventions, run as a user runs them (compiled, in a child
 * process): `--help` prints the usage on stdout and exits 0; a bad flag exits 2 with the usage on stderr;
 * `--flag=value` works; a server logs each start-up fact once, as one JSON line, at the LOG_LEVEL given.
 * Needs `npm run build`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const program = (rel: string): string => path.join(ROOT, 'dist', 'samples', rel);
const PROGRAMS = [
  'echo/server.js',
  'echo/client.js',
  'echo/raw-server.js',
  'echo/raw-client.js',
  'chat/server.js',
  'chat/client.js',
];
const SERVERS = ['echo/server.js', 'echo/raw-server.js', 'chat/server.js'];

function runProgram(rel: string, args: string[]) {
  const result = spawnSync(process.execPath, [program(rel), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts a server on port 0 with LOG_LEVEL; collects its stdout lines. */
function startServer(rel: string, logLevel: string, args: string[] = []) {
  const child = spawn(process.execPath, [program(rel), ...args], {
    env: { ...process.env, LOG_LEVEL: logLevel, LOG_FORMAT: 'json' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, lines: () => stdout.split('\n').filter(Boolean), stderr: () => stderr };
}

describe('sample programs', () => {
  it('are built', () => {
    for (const rel of PROGRAMS) expect(fs.existsSync(program(rel)), `${rel} (run npm run build)`).toBe(true);
  });

  it.each(PROGRAMS)('%s --help / -h prints its usage on stdout and exits 0', (rel) => {
    for (const flag of ['--help', '-h']) {
      const result = runProgram(rel, [flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^usage: .+ \[flags\]/);
      expect(result.stdout).toContain('--port N');
      expect(result.stderr).toBe('');
    }
  });

  it.each(PROGRAMS)(
    '%s rejects an unknown flag and a bad number with exit 2 and the usage on stderr',
    (rel) => {
      const unknown = runProgram(rel, ['--bogus']);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain("Unknown option '--bogus'");
      expect(unknown.stderr).toContain('usage: ');
      expect(unknown.stdout).toBe('');
      const bad = runProgram(rel, ['--port=x']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--port needs a whole number >= 0, got "x"');
    },
  );

  it.each(SERVERS)('%s logs its start-up once, as one JSON line with the port and engine', async (rel) => {
    const server = startServer(rel, 'info', ['--engine=node', '--port=0']);
    await expect
      .poll(() => server.lines().some((l) => l.includes('listening on')), { timeout: 20_000 })
      .toBe(true);
    const lines = server.lines();
    const listening = lines.filter((l) => l.includes('listening'));
    expect(listening).toHaveLength(1);
    const event = JSON.parse(listening[0]) as { level: number; msg: string; port: number; engine: string };
    expect(event).toMatchObject({ level: 30, engine: 'node' });
    expect(event.msg).toBe(`listening on 127.0.0.1:${event.port} with engine node`);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow(); // JSON lines only
  });

  it.each(SERVERS)('%s honours LOG_LEVEL: at error, a normal start and stop log nothing', async (rel) => {
    const port = await freePort();
    const server = startServer(rel, 'error', ['--engine=node', `--port=${port}`]);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    await expect.poll(() => accepts(port), { timeout: 20_000 }).toBe(true); // started: it has logged by now
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.lines()).toEqual([]);
    expect(server.stderr()).toBe('');
  });
});

/** A port the OS just handed out (free at that moment; the server binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** True once something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
