/**
 * `fastport new` end to end, as a user with no compiler: pack this checkout (fastport with its prebuilt
 * addon, and @fastport/codegen), scaffold a project into a temporary directory, install it from the two
 * tarballs with only node and npm on PATH (npm --prefer-offline: packages come from npm's cache when it has
 * them, else from the registry, as for any user), build it, run its own type-checked tests, start its server
 * and log in, then edit its proto and regenerate with `fastport gen`.
 * Needs a built checkout (`npm run build`, `npm run build:native`); takes one to two minutes.
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

/** A PATH holding only node, npm, npx and sh: no compiler, no cmake (npm adds node_modules/.bin itself). */
function nodeOnlyPath(): string {
  const bin = path.join(work, 'node-only-bin');
  fs.mkdirSync(bin);
  const nodeBin = path.dirname(process.execPath);
  for (const tool of ['node', 'npm', 'npx']) fs.symlinkSync(path.join(nodeBin, tool), path.join(bin, tool));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs scripts through sh
  return bin;
}

/** The environment without vitest's own variables, so the project's vitest runs as if started by hand. */
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
  ),
  PATH: nodeOnlyPath(),
};

/** Packs the package in dir (`-w codegen` for the workspace); returns the tarball's path. */
function pack(...args: string[]): string {
  // --json output ends stdout; npm's script banners (prepack) come before it.
  const packed = spawnSync('npm', ['pack', ...args, '--pack-destination', work, '--json', '--silent'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`npm pack ${args.join(' ')} failed:\n${packed.stderr}`);
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as {
    filename: string;
  }[];
  return path.join(work, path.basename(filename));
}

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000) {
  // In this checkout (packing) the developer's PATH; in the project the node-only one.
  const result = spawnSync(command, args, {
    cwd,
    env: cwd === ROOT ? process.env : env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { status: result.status, output };
}

function mustRun(command: string, args: string[], cwd: string, timeoutMs?: number): string {
  const { status, output } = run(command, args, cwd, timeoutMs);
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${status}:\n${output.slice(-3000)}`);
  return output;
}

/** Starts the project's server on a free port; resolves with the port it printed. */
function startServer(): Promise<{ port: number; output: string; stop: () => void }> {
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
      const match = /"msg":"listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ port: Number(match[1]), output, stop: () => child.kill('SIGTERM') });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

/** Names of the packages `npm install --omit=dev` would keep: what the game needs at run time. */
function runtimeDependencies(dir: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true)
    .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

describe('fastport new', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('creates a project that installs from a packed fastport, builds, tests, serves and regenerates', async () => {
    for (const built of [
      'dist/framework/index.js',
      'codegen/dist/cli/commands/new-command.js',
      'build/Release/fastport.node',
    ])
      expect(
        fs.existsSync(path.join(ROOT, built)),
        `${built} exists (run npm run build and npm run build:native)`,
      ).toBe(true);

    const tarball = pack();
    const codegenTarball = pack('-w', 'codegen');
    const listing = mustRun('tar', ['-tzf', tarball], ROOT);
    expect(listing).toContain(`package/prebuilds/${process.platform}-${process.arch}/fastport.node`);
    expect(listing).not.toContain('package/build/');
    const created = mustRun(
      process.execPath,
      [CLI, 'new', project, '--fastport', tarball, '--codegen', codegenTarball],
      work,
    );
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
    expect(manifest.devDependencies['@fastport/codegen']).toBe(`file:${codegenTarball}`);

    // A second run must not touch the now non-empty directory.
    const again = run(process.execPath, [CLI, 'new', project], work);
    expect(again.status).toBe(1);
    expect(again.output).toContain('is not empty');

    const installed = mustRun(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund'],
      project,
      240_000,
    );
    expect(installed).not.toContain('install-scripts'); // npm 11's warning about uncovered install scripts
    const addon = path.join(project, 'node_modules', 'fastport');
    expect(fs.existsSync(path.join(addon, 'build')), 'nothing was compiled').toBe(false);
    for (const tool of ['ts-proto', 'protobufjs', '@bufbuild/buf', 'commander'])
      expect(runtimeDependencies(project), `${tool} is no run-time dependency`).not.toContain(tool);
    mustRun('npm', ['run', 'build'], project);
    expect(mustRun('npm', ['test'], project)).toMatch(/2 passed/);

    // The project's tests are type-checked: a type error in a test fails `npm test`.
    const broken = path.join(project, 'test', 'typed.test.ts');
    fs.writeFileSync(
      broken,
      "import { it } from 'vitest';\nconst x: number = 'a';\nit('runs', () => void x);\n",
    );
    const typeError = run('npm', ['test'], project);
    fs.rmSync(broken);
    expect(typeError.status).not.toBe(0);
    expect(typeError.output).toContain(
      "test/typed.test.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'",
    );

    const server = await startServer();
    expect(server.output).toMatch(/"origin":"prebuild".*"msg":"native addon loaded"/);
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
    mustRun('npx', ['--no-install', 'fastport', 'new', second], project);
    const secondManifest = JSON.parse(fs.readFileSync(path.join(second, 'package.json'), 'utf8'));
    expect(secondManifest.dependencies.fastport).toBe(`file:${tarball}`);
    expect(secondManifest.devDependencies['@fastport/codegen']).toBe(`file:${codegenTarball}`);
    expect(fs.existsSync(path.join(second, 'generated', 'packets.ts'))).toBe(true);
    const packets = fs.readFileSync(path.join(project, 'generated', 'packets.ts'), 'utf8');
    expect(packets).toContain("defineRequest(102, 'game.ScoreReq'");
    mustRun('npm', ['run', 'build'], project);
  }, 600_000);
});
