import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../codegen/cli/main';
import type { Command } from '../../codegen/cli/command';
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
  // bin/fastport.js runs dist/codegen/cli: compile codegen/ alone, as `npm run gen` does.
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

  it('reports usage errors with exit 2', () => {
    expect(fastport('gen', '--bogus').status).toBe(2);
    expect(fastport('gen', '--proto').stderr).toContain('--proto needs a value');
    expect(fastport('nope').status).toBe(2);
    const help = fastport('help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/gen\s+generate typed messages/);
  });
});

describe('the command table', () => {
  it('dispatches to any command listed in the table (how `fastport new` plugs in)', async () => {
    const seen: string[][] = [];
    const table: Record<string, Command> = {
      hello: { summary: 'test', usage: 'usage: fastport hello', run: (args) => (seen.push([...args]), 3) },
    };
    expect(await main(['hello', 'a', 'b'], table)).toBe(3);
    expect(seen).toEqual([['a', 'b']]);
  });
});
