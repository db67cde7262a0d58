/** Options of `npm run bench` (node:util parseArgs); parseCli throws with a precise message on bad input. */
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios';
import { SERVERS } from './servers';

export interface CliOptions {
  scenarios: string[];
  servers: string[];
  durationS: number;
  warmupS: number;
  runs: number;
  clientCpus?: string;
  serverCpus?: string;
  loadgenThreads: number;
  /** Connections of the idle-memory scenarios (e, wse). */
  idleConns: number;
  verify: boolean;
  /** Every row is also compared with this row run by run (paired ratios, paired.ts). */
  paired?: string;
  out: string; // results file name stem under bench/results/
  /** Replace bench/results/<out>.{json,md} when they exist (default: refuse, so committed results stay). */
  overwrite: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --scenario a,b,...     scenarios to run (default: all of ${SCENARIOS.map((s) => s.id).join(',')})
  --server name,...      servers to run (default: all but the -before rows, which need
                         scripts/bench/build-before.sh; a ratio needs its baseline in the same run)
                         ${SERVERS.map((s) => s.name).join(', ')}
  --duration S           measured seconds per run (default 5)
  --warmup S             unmeasured seconds before each run (default 1)
  --runs N               runs per server and scenario; the table shows the median (default 3)
  --client-cpus LIST     pin the load generator with taskset -c LIST (e.g. 1)
  --server-cpus LIST     pin the servers with taskset -c LIST (e.g. 0)
  --loadgen-threads N    load generator threads (default 1)
  --idle-conns N         connections of the idle-memory scenarios e and wse, opened in two bursts of
                         half each (default 10000)
  --no-verify            do not compare echoed payloads
  --paired ROW           also divide each run of every row by the same run of ROW (runs are interleaved)
                         and show the median of those ratios with their spread (ROW must run too)
  --out NAME             write bench/results/NAME.json and NAME.md (default: a new run-<date>-<time>)
  --overwrite            replace NAME's files if they exist (e.g. --out latest --overwrite)
  -h, --help             show this help
Options take --opt value or --opt=value.`;

function list(value: string, known: string[], what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = items.filter((item) => !known.includes(item));
  if (unknown.length > 0)
    throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (items.length === 0) throw new Error(`empty ${what} list`);
  return items;
}

function positiveNumber(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && (!Number.isInteger(n) || n < 1))) {
    throw new Error(`${flag}: expected a ${integer ? 'whole number >= 1' : 'number >= 0'}, got '${value}'`);
  }
  return n;
}

/** A results name for this moment, e.g. run-20261201-101500 (UTC): a new file each run. */
export function freshResultsName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}`;
}

const FLAGS = {
  scenario: { type: 'string' },
  server: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  runs: { type: 'string' },
  'client-cpus': { type: 'string' },
  'server-cpus': { type: 'string' },
  'loadgen-threads': { type: 'string' },
  'idle-conns': { type: 'string' },
  'no-verify': { type: 'boolean' },
  paired: { type: 'string' },
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCli(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new Error(`${(error as Error).message.split('\n')[0]}\n${USAGE}`);
  }
  const options: CliOptions = {
    scenarios: SCENARIOS.map((s) => s.id),
    servers: SERVERS.filter((s) => !s.name.endsWith('-before')).map((s) => s.name),
    durationS: 5,
    warmupS: 1,
    runs: 3,
    loadgenThreads: 1,
    idleConns: 10_000,
    verify: values['no-verify'] !== true,
    out: freshResultsName(),
    overwrite: values.overwrite === true,
    help: values.help === true,
  };
  if (values.scenario !== undefined)
    options.scenarios = list(
      values.scenario,
      SCENARIOS.map((s) => s.id),
      'scenario',
    );
  if (values.server !== undefined)
    options.servers = list(
      values.server,
      SERVERS.map((s) => s.name),
      'server',
    );
  if (values.duration !== undefined) {
    options.durationS = positiveNumber('--duration', values.duration, false);
    if (options.durationS === 0) throw new Error('--duration: must be > 0');
  }
  if (values.warmup !== undefined) options.warmupS = positiveNumber('--warmup', values.warmup, false);
  if (values.runs !== undefined) options.runs = positiveNumber('--runs', values.runs, true);
  if (values['client-cpus'] !== undefined) options.clientCpus = values['client-cpus'];
  if (values['server-cpus'] !== undefined) options.serverCpus = values['server-cpus'];
  if (values['loadgen-threads'] !== undefined)
    options.loadgenThreads = positiveNumber('--loadgen-threads', values['loadgen-threads'], true);
  if (values['idle-conns'] !== undefined) {
    options.idleConns = positiveNumber('--idle-conns', values['idle-conns'], true);
    if (options.idleConns < 2) throw new Error('--idle-conns: at least 2 (one per burst)');
  }
  if (values.paired !== undefined) {
    [options.paired] = list(values.paired, options.servers, 'paired row (one of --server)');
    if (values.paired.includes(',')) throw new Error('--paired: name one row');
  }
  if (values.out !== undefined) {
    if (!/^[\w.-]+$/.test(values.out)) throw new Error(`--out: use letters, digits, '.', '-', '_' only`);
    options.out = values.out;
  }
  return options;
}
