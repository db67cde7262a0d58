/** `npm run bench` options: a new results file by default, --opt=value, precise errors. */
import { describe, expect, it } from 'vitest';
import { freshResultsName, parseCli } from '../../bench/runner/cli';

describe('bench runner options', () => {
  it('writes to a new results name unless one is given, and overwrites only when asked', () => {
    const defaults = parseCli([]);
    expect(defaults.out).toMatch(/^run-\d{8}-\d{6}$/);
    expect(defaults.out).not.toBe('latest');
    expect(defaults.overwrite).toBe(false);
    expect(parseCli(['--out', 'latest', '--overwrite'])).toMatchObject({ out: 'latest', overwrite: true });
    expect(freshResultsName(new Date('2026-12-01T10:15:00Z'))).toBe('run-20261201-101500');
  });

  it('takes --opt value and --opt=value alike', () => {
    expect(parseCli(['--runs=2', '--duration', '0.5', '--no-verify', '--scenario=a'])).toMatchObject({
      runs: 2,
      durationS: 0.5,
      verify: false,
      scenarios: ['a'],
    });
  });

  it('rejects unknown options and bad values with a message naming them', () => {
    expect(() => parseCli(['--bogus'])).toThrow(/Unknown option '--bogus'[\s\S]*usage: npm run bench/);
    expect(() => parseCli(['--runs', '0'])).toThrow("--runs: expected a whole number >= 1, got '0'");
    expect(() => parseCli(['--out', '../x'])).toThrow('--out: use letters');
    expect(() => parseCli(['--runs'])).toThrow(/argument missing/);
  });
});
