/**
 * The io_uring engine for an unprivileged user (setpriv to nobody). With the machine's locked-memory limit
 * (8 MiB here, less than the send pool wants registered) uring still runs: the pool that cannot be
 * registered is used unregistered. With 64 KiB (prlimit), as many distributions set, io_uring cannot even
 * start: 'auto' falls back to epoll with one warning naming the reason, and 'uring' fails with it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryLoadBinding } from '../../framework/transport';

const root = join(__dirname, '..', '..');
const child = join(__dirname, 'fixtures', 'engine-start.ts');
const register = join(root, 'test', 'faults', 'support', 'ts-register.cjs');

function whyNot(): string {
  if (process.getuid?.() !== 0) return 'needs root to run a child as user nobody (setpriv)';
  if (!existsSync('/usr/bin/setpriv') || !existsSync('/usr/bin/prlimit')) return 'setpriv / prlimit missing';
  const loaded = tryLoadBinding();
  if (!loaded.binding) return `native addon not built: ${loaded.error.message}`;
  if (!loaded.binding.engines().includes('uring')) return 'the addon has no uring engine';
  if (loaded.binding.probeUring() !== '')
    return `io_uring unusable here even for root: ${loaded.binding.probeUring()}`;
  return '';
}

interface Outcome {
  engine?: string;
  error?: string;
  warnings: string[];
}

function startAsNobody(engine: 'auto' | 'uring', memlockBytes?: number): Outcome {
  const limit = memlockBytes === undefined ? [] : ['prlimit', `--memlock=${memlockBytes}`];
  const command = [
    ...['--reuid=nobody', '--regid=nogroup', '--clear-groups'],
    ...limit,
    ...[process.execPath, '-r', register, child, engine],
  ];
  const out = execFileSync('setpriv', command, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Outcome;
}

const skip = whyNot();

describe.skipIf(skip !== '')(
  `engine fallback for an unprivileged user${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it("runs uring under the machine's locked-memory limit (the send pool unregistered)", () => {
      expect(startAsNobody('auto')).toEqual({ engine: 'uring', warnings: [] });
      expect(startAsNobody('uring')).toEqual({ engine: 'uring', warnings: [] });
    });

    it('auto falls back to epoll with one warning naming the reason (64 KiB locked-memory limit)', () => {
      const outcome = startAsNobody('auto', 64 * 1024);
      expect(outcome.engine).toBe('epoll');
      expect(outcome.warnings).toHaveLength(1);
      expect(outcome.warnings[0]).toMatch(/engine 'uring'.*Cannot allocate memory.*using engine 'epoll'/);
    });

    it('an explicit uring fails with the reason (64 KiB locked-memory limit)', () => {
      const outcome = startAsNobody('uring', 64 * 1024);
      expect(outcome.engine).toBeUndefined();
      expect(outcome.error).toMatch(/engine 'uring' does not work here: .*Cannot allocate memory/);
    });
  },
);
