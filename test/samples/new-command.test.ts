/** `fastport new` argument handling and the files it writes (no install: see scaffold.test.ts for that). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../codegen/cli/main';

const ROOT = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-new-args-'));
const target = path.join(work, 'x'); // must never be created by a rejected call
let output: string[] = [];

beforeEach(() => {
  output = [];
  const capture = (...args: unknown[]) => void output.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
  const write = (chunk: string | Uint8Array) => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('fastport new', () => {
  it('writes the project into an empty directory with generated code and the given name', async () => {
    const dir = path.join(work, 'empty');
    fs.mkdirSync(dir);
    expect(
      await main(['new', dir, '--name', '@studio/arena', '--fastport', '^0.1.0', '--codegen=^0.1.0']),
    ).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: '@studio/arena',
      dependencies: { fastport: '^0.1.0' },
      devDependencies: { '@fastport/codegen': '^0.1.0' },
    });
    expect(manifest.allowScripts).toEqual({ fastport: true, '@swc/core': false });
    expect(manifest.scripts.test).toBe('tsc -p tsconfig.test.json && vitest run'); // tests are type-checked
    expect(manifest.dependencies).not.toHaveProperty('@fastport/codegen'); // a development tool only
    expect(fs.existsSync(path.join(dir, '.npmrc'))).toBe(false); // only a local fastport folder needs it
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain('node_modules/');
    const packets = fs.readFileSync(path.join(dir, 'generated', 'packets.ts'), 'utf8');
    expect(packets).toContain("from 'fastport/dist/framework/packets'");
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
    const root = ROOT;
    expect(manifest.name).toBe('local-game');
    expect(manifest.dependencies.fastport).toBe(`file:${root}`);
    expect(manifest.devDependencies['@fastport/codegen']).toBe(`file:${path.join(root, 'codegen')}`);
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

  it("keeps the scaffold's tool versions in step with this repository's, so npm dedupes them", () => {
    const template = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'codegen', 'templates', 'game-server', 'package.json.tmpl'), 'utf8'),
    ) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const versions = { ...own.devDependencies, ...own.dependencies };
    for (const [name, version] of Object.entries({ ...template.dependencies, ...template.devDependencies })) {
      if (version.startsWith('{{')) continue; // fastport and @fastport/codegen: filled in by fastport new
      expect(`${name}@${version}`).toBe(`${name}@${versions[name]}`);
    }
  });

  it("reports a directory it cannot create instead of hanging (Node's recursive mkdir spins on /proc)", async () => {
    expect(fs.existsSync('/proc/self')).toBe(true);
    expect(await main(['new', '/proc/fastport-x/game', '--fastport', '^0.1.0', '--codegen', '^0.1.0'])).toBe(
      1,
    );
    expect(output.join('\n')).toMatch(/cannot create \/proc\/fastport-x \(E[A-Z]+\)/);
  });

  it.each([
    [['-h'], 'Usage: fastport new [options] <dir>', 0],
    [['--help'], 'Usage: fastport new [options] <dir>', 0],
  ])('answers %j with its usage and creates nothing', async (args, message, code) => {
    expect(await main(['new', ...args])).toBe(code);
    expect(output.join('\n')).toContain(message);
    expect(fs.existsSync(path.join(process.cwd(), args[0]))).toBe(false);
  });

  it.each([
    [[], "missing required argument 'dir'"],
    [[target, 'b'], 'too many arguments'],
    [[target, '--name', 'Bad Name'], 'not a valid npm package name'],
    [[target, '--name'], "option '--name <name>' argument missing"],
    [[target, '--colour'], "unknown option '--colour'"],
    [[target, '--fastport', path.join(work, 'missing.tgz')], 'does not exist'],
  ])('rejects %j with usage exit code 2', async (args, message) => {
    expect(await main(['new', ...args])).toBe(2);
    expect(output.join('\n')).toContain(message);
    expect(output.join('\n')).toContain('Usage: fastport new');
    expect(fs.existsSync(target)).toBe(false);
  });
});
