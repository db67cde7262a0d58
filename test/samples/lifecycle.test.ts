/**
 * The install hook in a checkout without a compiler or cmake: one line naming what is missing and how to go
 * on, exit 1, no stack trace (and no build started). Runs scripts/lifecycle.js with only node on PATH.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-no-compiler-'));
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

describe('scripts/lifecycle.js install', () => {
  it('names the missing compiler and cmake in one line instead of a stack trace', () => {
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lifecycle.js'), 'install'], {
      cwd: ROOT,
      env: { PATH: bin, HOME: bin },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'fastport: cannot build the native addon: cmake 3.15+ and a C++20 compiler (g++ 10+ or clang++ 12+) ' +
        'not found on PATH. Install what is missing, then run npm install again (or npm run build:native).',
    );
    expect(result.stdout).toBe('');
  });

  it('rejects an unknown hook with its usage and exit 2', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lifecycle.js'), 'bogus'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node scripts/lifecycle.js install|postinstall');
  });
});
