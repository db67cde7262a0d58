/**
 * engine 'auto' on a machine where io_uring cannot start for this user: an unprivileged user (setpriv to
 * nobody) with the locked-memory limit of the machine (8 MiB here) and with 64 KiB (prlimit), as many
 * distributions set. 'auto' falls back to epoll with one warning naming the reason; 'uring' fails with it.
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
    for (const memlock of [undefined, 64 * 1024]) {
      const limit =
        memlock === undefined ? "the machine's locked-memory limit" : 'a 64 KiB locked-memory limit';
      it(`auto falls back to epoll with one warning naming the reason (${limit})`, () => {
        const outcome = startAsNobody('auto', memlock);
        expect(outcome.engine).toBe('epoll');
        expect(outcome.warnings).toHaveLength(1);
        expect(outcome.warnings[0]).toMatch(
          /engine 'uring'.*Cannot allocate memory.*using engine 'epoll'|engine 'uring' does not work here.*skipping/,
        );
      });

      it(`an explicit uring fails with the reason (${limit})`, () => {
        const outcome = startAsNobody('uring', memlock);
        expect(outcome.engine).toBeUndefined();
        expect(outcome.error).toMatch(/engine 'uring' does not work here: .*Cannot allocate memory/);
      });
    }
  },
);
