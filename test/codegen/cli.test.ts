import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_HEADER } from '../../codegen/generate';
import { FIXTURE_PROTO, removeTempDirs, tempProtoDir } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs bin/fastport.js (the compiled CLI) and returns its exit code and output. */
function fastport(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fastport.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // bin/fastport.js runs @fastport/codegen's compiled CLI (codegen/dist): compile codegen/ alone, as `npm run gen` does.
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'codegen'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
});
afterAll(removeTempDirs);

describe('fastport gen (bin/fastport.js)', () => {
  it('generates, then --check passes on fresh output and names stale, missing and leftover files', () => {
    const out = path.join(tempProtoDir({}), 'generated');
    const gen = fastport('gen', '--proto', FIXTURE_PROTO, '--out', out);
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'packets.ts'), 'utf8').startsWith(GENERATED_HEADER)).toBe(true);

    const fresh = fastport('gen', '--proto', FIXTURE_PROTO, '--out', out, '--check');
    expect(fresh.status).toBe(0);
    expect(fresh.stdout).toContain('up to date');

    fs.appendFileSync(path.join(out, 'game', 'login.ts'), '// hand edit\n');
    fs.rmSync(path.join(out, 'google', 'protobuf', 'duration.ts'));
    fs.writeFileSync(path.join(out, 'game', 'old.ts'), `${GENERATED_HEADER}\nexport {};\n`);
    fs.writeFileSync(path.join(out, 'notes.ts'), 'export {}; // not generated: left alone\n');
    const stale = fastport('gen', '--proto', FIXTURE_PROTO, '--out', out, '--check');
    expect(stale.status).toBe(1);
    const named = stale.stderr.split('\n').filter((l) => l.startsWith('stale: '));
    expect(named.map((l) => path.basename(l))).toEqual(['login.ts', 'old.ts', 'duration.ts']);

    expect(fastport('gen', '--proto', FIXTURE_PROTO, '--out', out).status).toBe(0);
    expect(fastport('gen', '--proto', FIXTURE_PROTO, '--out', out, '--check').status).toBe(0);
    expect(fs.existsSync(path.join(out, 'game', 'old.ts'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'notes.ts'))).toBe(true);
  });

  it('exits 1 with file:line on .proto errors and writes nothing', () => {
    const dir = tempProtoDir({
      'bad.proto':
        'syntax = "proto3";\nimport "fastport/options.proto";\nmessage PingReq {\n  int32 x = 1;\n}\n',
    });
    const result = fastport('gen', '--proto', dir, '--out', path.join(dir, 'out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${path.relative(ROOT, path.join(dir, 'bad.proto'))}:3: packet message PingReq has no id`,
    );
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('--repo --check: the committed framework/generated is up to date', () => {
    const result = fastport('gen', '--repo', '--check');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('--repo outside the FastPort repository is a usage error that writes nothing', () => {
    // The compiled CLI as a project would have it: an @fastport/codegen folder whose parent is no checkout.
    const project = tempProtoDir({});
    const installed = path.join(project, 'node_modules', '@fastport', 'codegen');
    fs.mkdirSync(path.dirname(installed), { recursive: true });
    fs.cpSync(path.join(ROOT, 'codegen', 'dist'), path.join(installed, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'codegen', 'package.json'), path.join(installed, 'package.json'));
    fs.cpSync(path.join(ROOT, 'proto'), path.join(project, 'node_modules', 'fastport', 'proto'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(project, 'node_modules', 'fastport', 'package.json'),
      JSON.stringify({ name: 'fastport', version: '0.0.0' }),
    );
    const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fastport.js'), 'gen', '--repo'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    expect(result.stderr).toContain('--repo regenerates the FastPort repository itself');
    expect(result.status).toBe(2);
    expect(fs.readdirSync(path.join(project, 'node_modules', 'fastport'))).toEqual(['package.json', 'proto']);
  });
});

describe('fastport command-line conventions', () => {
  it.each([['--help'], ['-h'], ['help'], []])(
    'fastport %s prints the commands on stdout, exit 0',
    (...args) => {
      const result = fastport(...args.filter((a): a is string => a !== undefined));
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/gen \[options\]\s+generate typed messages/);
      expect(result.stdout).toMatch(/new \[options\] <dir>\s+create a game-server project/);
    },
  );

  it.each([
    ['gen', '--help'],
    ['gen', '-h'],
    ['new', '--help'],
    ['new', '-h'],
    ['help', 'gen'],
    ['help', 'new'],
  ])("fastport %s %s prints that command's usage on stdout, exit 0", (...args) => {
    const result = fastport(...args);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Usage: fastport ${args.includes('gen') ? 'gen' : 'new'} [options]`);
    expect(result.stderr).toBe('');
  });

  it('fastport --version prints the package version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const result = fastport(flag);
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it.each([
    [['gen', '--bogus'], "unknown option '--bogus'"],
    [['gen', '--proto'], "option '--proto <dir>' argument missing"],
    [['nope'], "unknown command 'nope'"],
    [['help', 'nonsense'], 'unknown command "nonsense"'],
    [['new'], "missing required argument 'dir'"],
  ])('fastport %j exits 2 with the error and the usage on stderr', (args, message) => {
    const result = fastport(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: fastport');
    expect(result.stdout).toBe('');
  });

  it('accepts --flag=value', () => {
    const out = path.join(tempProtoDir({}), 'generated');
    const result = fastport('gen', `--proto=${FIXTURE_PROTO}`, `--out=${out}`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(out, 'packets.ts'))).toBe(true);
  });
});
