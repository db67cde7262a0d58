/** Options of `npm run bench`; parseCli throws with a precise message on bad input. */
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
  verify: boolean;
  out: string; // results file name stem under bench/results/
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --scenario a,b,...     scenarios to run (default: all of ${SCENARIOS.map((s) => s.id).join(',')})
  --server name,...      servers to run (default: all; a ratio needs its baseline in the same run)
                         ${SERVERS.map((s) => s.name).join(', ')}
  --duration S           measured seconds per run (default 5)
  --warmup S             unmeasured seconds before each run (default 1)
  --runs N               runs per server and scenario; the table shows the median (default 3)
  --client-cpus LIST     pin the load generator with taskset -c LIST (e.g. 1)
  --server-cpus LIST     pin the servers with taskset -c LIST (e.g. 0)
  --loadgen-threads N    load generator threads (default 1)
  --no-verify            do not compare echoed payloads
  --out NAME             write bench/results/NAME.json and NAME.md (default latest)`;

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

export function parseCli(argv: string[]): CliOptions {
  const options: CliOptions = {
    scenarios: SCENARIOS.map((s) => s.id),
    servers: SERVERS.map((s) => s.name),
    durationS: 5,
    warmupS: 1,
    runs: 3,
    loadgenThreads: 1,
    verify: true,
    out: 'latest',
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      options.help = true;
      continue;
    }
    if (flag === '--no-verify') {
      options.verify = false;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    switch (flag) {
      case '--scenario':
        options.scenarios = list(
          value,
          SCENARIOS.map((s) => s.id),
          'scenario',
        );
        break;
      case '--server':
        options.servers = list(
          value,
          SERVERS.map((s) => s.name),
          'server',
        );
        break;
      case '--duration':
        options.durationS = positiveNumber(flag, value, false);
        if (options.durationS === 0) throw new Error('--duration: must be > 0');
        break;
      case '--warmup':
        options.warmupS = positiveNumber(flag, value, false);
        break;
      case '--runs':
        options.runs = positiveNumber(flag, value, true);
        break;
      case '--client-cpus':
        options.clientCpus = value;
        break;
      case '--server-cpus':
        options.serverCpus = value;
        break;
      case '--loadgen-threads':
        options.loadgenThreads = positiveNumber(flag, value, true);
        break;
      case '--out':
        if (!/^[\w.-]+$/.test(value)) throw new Error(`--out: use letters, digits, '.', '-', '_' only`);
        options.out = value;
        break;
      default:
        throw new Error(`unknown option '${flag}'\n${USAGE}`);
    }
  }
  return options;
}
