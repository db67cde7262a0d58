/** `fastport new` argument handling and the files it writes (no install: see scaffold.test.ts for that). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../codegen/cli/main';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-new-args-'));
const target = path.join(work, 'x'); // must never be created by a rejected call
let output: string[] = [];

beforeEach(() => {
  output = [];
  const capture = (...args: unknown[]) => void output.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('fastport new', () => {
  it('writes the project into an empty directory with generated code and the given name', async () => {
    const dir = path.join(work, 'empty');
    fs.mkdirSync(dir);
    expect(await main(['new', dir, '--name', '@studio/arena', '--fastport', '^0.1.0'])).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@studio/arena', dependencies: { fastport: '^0.1.0' } });
    expect(manifest.allowScripts).toMatchObject({ fastport: true });
    expect(fs.existsSync(path.join(dir, '.npmrc'))).toBe(false); // only a local fastport folder needs it
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain('node_modules/');
    const packets = fs.readFileSync(path.join(dir, 'generated', 'packets.ts'), 'utf8');
    expect(packets).toContain("from 'fastport/dist/codegen/runtime'");
    expect(packets).toContain("defineRequest(100, 'game.LoginReq'");
    expect(fs.readFileSync(path.join(dir, 'src', 'login-controller.ts'), 'utf8')).toContain(
      '@Handler(LoginReq',
    );
    expect(fs.readFileSync(path.join(dir, 'src', 'server.ts'), 'utf8')).toContain("name: '@studio/arena'");
    expect(output.join('\n')).toContain('npm install');
  });

  it('defaults to a file: dependency on this checkout, installed as a packed copy', async () => {
    const dir = path.join(work, 'Local-Game');
    expect(await main(['new', dir])).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const root = path.resolve(__dirname, '..', '..');
    expect(manifest.name).toBe('local-game');
    expect(manifest.dependencies.fastport).toBe(`file:${root}`);
    expect(manifest.allowScripts[`file:${root}`]).toBe(true);
    expect(fs.readFileSync(path.join(dir, '.npmrc'), 'utf8')).toContain('install-links=true');
  });

  it('refuses a non-empty directory and leaves it untouched', async () => {
    const dir = path.join(work, 'busy');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(await main(['new', dir])).toBe(1);
    expect(output.join('\n')).toMatch(
      /refusing to write into .*busy: the directory is not empty \(notes\.txt\)/,
    );
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
  });

  it.each([
    [[], 'missing the project directory'],
    [[target, 'b'], 'one directory only'],
    [[target, '--name', 'Bad Name'], 'not a valid npm package name'],
    [[target, '--name'], '--name needs a value'],
    [[target, '--colour'], 'unknown option --colour'],
    [[target, '--fastport', path.join(work, 'missing.tgz')], 'does not exist'],
  ])('rejects %j with usage exit code 2', async (args, message) => {
    expect(await main(['new', ...args])).toBe(2);
    expect(output.join('\n')).toContain(message);
    expect(fs.existsSync(target)).toBe(false);
  });
});
