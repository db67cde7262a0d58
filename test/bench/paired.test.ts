/** Paired ratios of interleaved runs (bench:cost with several rows, npm run bench -- --paired): run i against run i. */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../bench/runner/cli';
import { pairedRatios } from '../../bench/runner/paired';
import { addPaired, type RowResult, type ScenarioResult } from '../../bench/runner/report';

describe('paired ratios of interleaved runs', () => {
  it('divides each run by the baseline run measured next to it, not median by median', () => {
    // A load drift that moves both rows alike: the medians alone differ by less than the drift.
    const baseline = [2.0, 3.0, 2.4, 4.0, 2.2];
    const row = baseline.map((us) => us * 1.05);
    const paired = pairedRatios(row, baseline);
    expect(paired.pairs).toBe(5);
    expect(paired.median).toBeCloseTo(1.05, 10);
    expect(paired.min).toBeCloseTo(1.05, 10);
    expect(paired.max).toBeCloseTo(1.05, 10);
  });

  it('reports the spread of the ratios and their median', () => {
    expect(pairedRatios([1.1, 0.9, 1.3, 1.0], [1, 1, 1, 1])).toEqual({
      median: 1.05,
      min: 0.9,
      max: 1.3,
      pairs: 4,
    });
  });

  it('leaves out runs without a partner or with no finite ratio', () => {
    expect(pairedRatios([2, 3, 4], [1, 0])).toMatchObject({ median: 2, pairs: 1 });
    expect(pairedRatios([], [1]).pairs).toBe(0);
    expect(Number.isNaN(pairedRatios([], [1]).median)).toBe(true);
  });
});

describe('npm run bench -- --paired ROW', () => {
  const row = (server: string, runs: number[]): RowResult => ({
    server,
    label: server,
    status: 'ok',
    runs,
    extras: {},
    errors: 0,
    ratios: {},
  });
  const scenario = (): ScenarioResult => ({
    id: 'a',
    title: 'echo',
    metric: 'msgs/s',
    higherIsBetter: true,
    extraLabels: [],
    baselines: [],
    notes: [],
    rows: [row('off', [500, 700, 600]), row('on', [490, 690, 560]), { ...row('gone', []), status: 'failed' }],
  });

  it('pairs every other row run by run with the named row', () => {
    const result = addPaired(scenario(), 'off');
    expect(result.pairedWith).toBe('off');
    const on = result.rows.find((r) => r.server === 'on');
    expect(on?.paired).toMatchObject({ median: 490 / 500, min: 560 / 600, max: 690 / 700, pairs: 3 });
    expect(result.rows.find((r) => r.server === 'off')?.paired).toBeUndefined();
    expect(result.rows.find((r) => r.server === 'gone')?.paired).toBeUndefined();
  });

  it('leaves a scenario without that row unpaired', () => {
    expect(addPaired(scenario(), 'absent').pairedWith).toBeUndefined();
    expect(addPaired(scenario(), undefined).pairedWith).toBeUndefined();
  });

  it('takes one row that also runs', () => {
    const servers = 'fastport-epoll,fastport-epoll-admin';
    expect(parseCli(['--server', servers, '--paired', 'fastport-epoll']).paired).toBe('fastport-epoll');
    expect(() => parseCli(['--server', servers, '--paired', 'reference'])).toThrow(/unknown paired row/);
    expect(() => parseCli(['--server', servers, '--paired', servers])).toThrow('--paired: name one row');
  });
});
