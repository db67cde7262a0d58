/** Results of a suite run: medians, ratios to the baselines, and the JSON / Markdown renderings. */
import { CliOptions } from './cli';
import { Machine } from './machine';
import { pairedRatios, type PairedRatios } from './paired';
import { Measurement, Scenario } from './scenarios';

export type RowStatus = 'ok' | 'not available' | 'failed';

export interface RowResult {
  server: string;
  label: string;
  status: RowStatus;
  reason?: string;
  /** The ranked metric of every run, in run order. */
  runs: number[];
  median?: number;
  extras: Record<string, number>; // median of each extra column
  errors: number; // summed over runs: connect, lost, seq, verify and protocol errors
  ratios: Record<string, number>; // baseline name -> median / baseline median
  /** Run by run against the --paired row (absent without --paired and on that row itself). */
  paired?: PairedRatios;
}

export interface ScenarioResult {
  id: string;
  title: string;
  metric: string;
  higherIsBetter: boolean;
  extraLabels: string[];
  baselines: string[];
  rows: RowResult[];
  /** Warnings about the measurement itself (e.g. a row faster than the machine's reference). */
  notes: string[];
  /** The row every other row is paired with (--paired), when it ran. */
  pairedWith?: string;
}

export interface SuiteResult {
  date: string;
  machine: Machine;
  options: Omit<CliOptions, 'help' | 'out' | 'overwrite'>;
  scenarios: ScenarioResult[];
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summarises the measurements of one server in one scenario. */
export function summarise(scenario: Scenario, row: RowResult, measurements: Measurement[]): RowResult {
  const runs = measurements.map((m) => scenario.metric.pick(m));
  const extras: Record<string, number> = {};
  for (const column of scenario.extras)
    extras[column.label] = median(measurements.map((m) => column.pick(m)));
  const errors = measurements.reduce((sum, m) => sum + m.report.errors, 0);
  return { ...row, runs, median: median(runs), extras, errors };
}

/** Fills every row's ratio to each baseline row that has a median. */
export function addRatios(result: ScenarioResult): ScenarioResult {
  for (const baseline of result.baselines) {
    const base = result.rows.find((r) => r.server === baseline && r.status === 'ok')?.median;
    if (base === undefined || !Number.isFinite(base) || base === 0) continue;
    for (const row of result.rows) {
      if (row.status === 'ok' && row.median !== undefined) row.ratios[baseline] = row.median / base;
    }
  }
  // The reference is the machine's limit; a higher-is-better row above it means the load generator (or
  // the shared machine) limited the reference run, so the ratios of that table are not trustworthy.
  const reference = result.baselines.find((b) => b.startsWith('reference'));
  if (reference !== undefined && result.higherIsBetter) {
    for (const row of result.rows) {
      const ratio = row.ratios[reference];
      if (row.server !== reference && ratio !== undefined && ratio > 1) {
        result.notes.push(
          `${row.label} beat ${reference} (${ratio.toFixed(2)}x): the load generator may be the limit`,
        );
      }
    }
  }
  return result;
}

/** Sets every other row's paired ratios against row `baseline` (run i / run i of the baseline). */
export function addPaired(result: ScenarioResult, baseline: string | undefined): ScenarioResult {
  const base = result.rows.find((r) => r.server === baseline && r.status === 'ok');
  if (base === undefined) return result;
  result.pairedWith = base.server;
  for (const row of result.rows)
    if (row !== base && row.status === 'ok') row.paired = pairedRatios(row.runs, base.runs);
  return result;
}

function formatPaired(paired: PairedRatios | undefined): string {
  if (paired === undefined || paired.pairs === 0) return '-';
  const spread = `${paired.min.toFixed(2)}-${paired.max.toFixed(2)}`;
  return `${paired.median.toFixed(3)}x (${spread}, ${paired.pairs} pairs)`;
}

function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)}x`;
}

export function renderMarkdown(suite: SuiteResult): string {
  const m = suite.machine;
  const o = suite.options;
  const lines = [
    '# FastPort benchmark',
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}. Date: ${suite.date}.`,
    `Each figure is the median of ${o.runs} run(s) of ${o.durationS} s after ${o.warmupS} s of warm-up; ` +
      `load generator threads: ${o.loadgenThreads}; client cpus: ${o.clientCpus ?? 'any'}; ` +
      `server cpus: ${o.serverCpus ?? 'any'}; payload verification: ${o.verify ? 'on' : 'off'}.`,
    'Ratios are this row / the baseline row measured in the same invocation; a paired ratio is the median ' +
      'of run i of this row / run i of the paired row (run one after the other), with its range.',
    '',
  ];
  for (const s of suite.scenarios) {
    const better = s.higherIsBetter ? 'higher is better' : 'lower is better';
    lines.push(`## (${s.id}) ${s.title}`, '', `Ranked by ${s.metric} (${better}).`, '');
    const header = [
      'server',
      `${s.metric} (median)`,
      'runs',
      ...s.extraLabels,
      ...s.baselines.map((b) => `vs ${b}`),
      ...(s.pairedWith === undefined ? [] : [`paired vs ${s.pairedWith}`]),
    ];
    lines.push(`| ${header.join(' | ')} | errors |`, `|${header.map(() => '---').join('|')}|---|`);
    for (const r of s.rows) {
      if (r.status !== 'ok') {
        const blanks = header.slice(2).map(() => '');
        lines.push(`| ${r.label} | ${r.status}: ${r.reason ?? ''} | ${blanks.join(' | ')} | |`);
        continue;
      }
      const cells = [
        `${r.label}`,
        formatNumber(r.median),
        r.runs.map(formatNumber).join(' / '),
        ...s.extraLabels.map((label) => formatNumber(r.extras[label])),
        ...s.baselines.map((b) => formatRatio(r.ratios[b])),
        ...(s.pairedWith === undefined ? [] : [formatPaired(r.paired)]),
      ];
      lines.push(`| ${cells.join(' | ')} | ${r.errors} |`);
    }
    lines.push('', ...s.notes.map((note) => `Note: ${note}.`));
    if (s.notes.length > 0) lines.push('');
  }
  return lines.join('\n');
}
