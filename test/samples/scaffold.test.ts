/**
 * `fastport new` end to end: pack this checkout, scaffold a project into a temporary directory, install
 * fastport from the tarball (npm --offline: the npm cache already holds every dependency), build it, run
 * its own test, start its server and log in, then edit its proto and regenerate with `fastport gen`.
 * Needs a built checkout (`npm run build`); takes about a minute.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GameClient } from '../../framework/client/game-client';
import type { RequestType } from '../../framework/protocol/message-type';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'fastport.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-new-'));
const project = path.join(work, 'my-game');

/** The environment without vitest's own variables, so the project's vitest runs as if started by hand. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
);

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { status: result.status, output };
}

function mustRun(command: string, args: string[], cwd: string, timeoutMs?: number): string {
  const { status, output } = run(command, args, cwd, timeoutMs);
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${status}:\n${output.slice(-3000)}`);
  return output;
}

/** Starts the project's server on a free port; resolves with the port it printed. */
function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['dist/src/main.js', '--port', '0'], { cwd: project, env });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 20_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`server exited ${code}:\n${output}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /my-game listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ port: Number(match[1]), stop: () => child.kill('SIGTERM') });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

describe('fastport new', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('creates a project that installs from a packed fastport, builds, tests, serves and regenerates', async () => {
    for (const built of ['dist/framework/index.js', 'dist/codegen/cli/commands/new-command.js'])
      expect(fs.existsSync(path.join(ROOT, built)), `${built} exists (run npm run build)`).toBe(true);

    const packed = mustRun('npm', ['pack', '--pack-destination', work, '--json'], ROOT);
    const tarball = path.join(
      work,
      (JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[])[0].filename,
    );

    const created = mustRun(process.execPath, [CLI, 'new', project, '--fastport', tarball], work);
    expect(created).toContain('created my-game');
    for (const file of [
      'package.json',
      'tsconfig.json',
      'proto/game.proto',
      'generated/packets.ts',
      'src/login-controller.ts',
      'src/player-service.ts',
      'src/main.ts',
      'test/login.test.ts',
      'README.md',
    ])
      expect(fs.existsSync(path.join(project, file)), file).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(manifest.dependencies.fastport).toBe(`file:${tarball}`);
    expect(manifest.allowScripts.fastport).toBe(true);

    // A second run must not touch the now non-empty directory.
    const again = run(process.execPath, [CLI, 'new', project], work);
    expect(again.status).toBe(1);
    expect(again.output).toContain('is not empty');

    mustRun('npm', ['install', '--offline', '--no-audit', '--no-fund'], project, 150_000);
    mustRun('npm', ['run', 'build'], project);
    expect(mustRun('npm', ['test'], project)).toMatch(/2 passed/);

    const server = await startServer();
    try {
      // The project's own generated LoginReq (its packets module, compiled by its build).
      const { LoginReq } = require(path.join(project, 'dist', 'generated', 'packets.js')) as {
        LoginReq: RequestType<{ name: string }, { greeting: string }>;
      };
      const client = await GameClient.connect({ port: server.port });
      const res = await client.request(LoginReq, { name: 'grace' });
      expect(res.greeting).toBe('welcome, grace');
      await client.close();
    } finally {
      server.stop();
    }

    fs.appendFileSync(
      path.join(project, 'proto', 'game.proto'),
      '\nmessage ScoreReq {\n  option (fastport.id) = 102;\n  uint32 points = 1;\n}\n\nmessage ScoreRes {\n  option (fastport.id) = 103;\n  uint32 total = 1;\n}\n',
    );
    expect(mustRun('npm', ['run', 'gen'], project)).toContain('2 written');

    // The installed fastport's own CLI (templates packed) scaffolds the next project from the same tarball.
    const second = path.join(work, 'second-game');
    mustRun('npx', ['--offline', 'fastport', 'new', second], project);
    const secondManifest = JSON.parse(fs.readFileSync(path.join(second, 'package.json'), 'utf8'));
    expect(secondManifest.dependencies.fastport).toBe(`file:${tarball}`);
    expect(fs.existsSync(path.join(second, 'generated', 'packets.ts'))).toBe(true);
    const packets = fs.readFileSync(path.join(project, 'generated', 'packets.ts'), 'utf8');
    expect(packets).toContain("defineRequest(102, 'game.ScoreReq'");
    mustRun('npm', ['run', 'build'], project);
  }, 300_000);
});
