/**
 * `npm run bench:cost`: server CPU per message, a figure that a busy machine changes much less than
 * throughput. Starts a bench server row pinned, drives it with the native load generator on another CPU
 * (closed loop, or a fixed offered rate with --rate), and divides the server's utime+stime after the
 * warm-up (/proc/PID/stat) by the echoes received after it. Several rows (--server a,b) run interleaved,
 * a, b, a, b, ..., each run on a fresh server, and every later row is compared with the first by the
 * median of its paired ratios (paired.ts). `--scenario ID` takes the load of an echo scenario of the suite
 * (scenarios.ts: seed, s4k, s16k, ...). `--cpu-prof DIR` also writes a V8 CPU profile of each run's server
 * into DIR and prints its top functions in microseconds per message over the measured window; `--gc` counts
 * the server's collections in the window (`--trace-gc`, gc-trace.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHelloHex, frameworkProtocolVersion } from '../runner/hello';
import { LOADGEN_BIN } from '../runner/paths';
import { freePort, pinned, runLoadgen, ServerProcess } from '../runner/processes';
import { median } from '../runner/report';
import { SCENARIOS, type Scenario } from '../runner/scenarios';
import { SERVERS, unavailableReason, type ServerRow } from '../runner/servers';
import { pairedRatios } from '../runner/paired';
import { GcTrace, type GcCounts } from './gc-trace';
import { profileClockMicros, topSelfPerMessage, type Profile } from './profile-top';

const USAGE = `usage: npm run bench:cost -- [options]
  --server NAME[,NAME...]  bench server rows, interleaved; later ones compared with the first
                      (default fastport-epoll): ${SERVERS.map((s) => s.name).join(', ')}
  --size BYTES        payload bytes (default 64)
  --max-size BYTES    payloads uniform in [--size, --max-size] (the seed scenario: --size 4096 --max-size 16384)
  --conns N           connections (default 100)
  --depth N           frames in flight per connection, closed loop (default 4)
  --rate N            instead of --depth: a fixed offered load of N msgs/s over all connections
  --scenario ID       instead of the five above: the load of an echo scenario of \`npm run bench\`
                      (${echoScenarios()
                        .map((s) => s.id)
                        .join(', ')})
  --duration S        seconds measured per run (default 5)
  --warmup S          seconds before the measured window (default 1; 0 measures from the start)
  --runs N            runs of every row, each on a fresh server (default 3)
  --server-cpus LIST  taskset the server (default 0)
  --client-cpus LIST  taskset the load generator (default 1)
  --cpu-prof DIR      node rows: write each run's V8 CPU profile (.cpuprofile) into DIR and print its
                      top functions in us per message over the measured window
  --node-flags=FLAGS  node rows: these node / V8 flags (space-separated) after the node executable,
                      e.g. --node-flags=--single-threaded-gc (with '=': the value starts with --; one
                      bench:cost call per setting to compare them)
  --gc                node rows: count the server's collections in the window (node --trace-gc), per
                      1000 messages, and their main-thread pause per message (wall time)`;

/** Functions listed per run with --cpu-prof. */
const PROFILE_TOP = 8;

/** The suite's closed-loop and fixed-rate echo scenarios (their load generator options fit any echo row). */
function echoScenarios(): Scenario[] {
  return SCENARIOS.filter((s) => s.kind === 'echo');
}

function scenarioNamed(id: string): Scenario {
  const scenario = echoScenarios().find((s) => s.id === id);
  if (scenario === undefined)
    throw new Error(
      `--scenario: '${id}' is not an echo scenario (${echoScenarios()
        .map((s) => s.id)
        .join(', ')})`,
    );
  return scenario;
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ; 100 on every Linux this runs on). */
const USER_HZ = 100;

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / USER_HZ;
}

function wholeNumber(flag: string, value: string, least = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < least)
    throw new Error(`--${flag}: expected a whole number >= ${least}, got '${value}'`);
  return n;
}

function rowsNamed(list: string): ServerRow[] {
  return list.split(',').map((name) => {
    const row = SERVERS.find((s) => s.name === name);
    if (row === undefined) throw new Error(`unknown --server ${name}`);
    const unavailable = unavailableReason(row, fs.existsSync);
    if (unavailable !== undefined) throw new Error(`--server ${name} is not available: ${unavailable}`);
    return row;
  });
}

export function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string', default: 'fastport-epoll' },
      size: { type: 'string', default: '64' },
      'max-size': { type: 'string' },
      conns: { type: 'string', default: '100' },
      depth: { type: 'string', default: '4' },
      rate: { type: 'string' },
      scenario: { type: 'string' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      'server-cpus': { type: 'string', default: '0' },
      'client-cpus': { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
      gc: { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    rows: rowsNamed(values.server),
    size: wholeNumber('size', values.size),
    maxSize: values['max-size'] === undefined ? undefined : wholeNumber('max-size', values['max-size']),
    conns: wholeNumber('conns', values.conns),
    depth: wholeNumber('depth', values.depth),
    rate: values.rate === undefined ? undefined : wholeNumber('rate', values.rate),
    scenario: values.scenario === undefined ? undefined : scenarioNamed(values.scenario),
    durationS: wholeNumber('duration', values.duration),
    warmupS: wholeNumber('warmup', values.warmup, 0),
    runs: wholeNumber('runs', values.runs),
    serverCpus: values['server-cpus'],
    clientCpus: values['client-cpus'],
    cpuProf: values['cpu-prof'],
    gc: values.gc,
    nodeFlags: values['node-flags'].split(' ').filter((flag) => flag !== ''),
    help: values.help,
  };
}

type Options = ReturnType<typeof parse>;

/** The row's argv, with --node-flags and node's --cpu-prof / --trace-gc after the node executable when asked. */
function serverArgv(row: ServerRow, port: number, options: Options): string[] {
  const argv = row.command(port);
  const flags = [
    ...options.nodeFlags,
    ...(options.cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.cpuProf)]),
    ...(options.gc ? ['--trace-gc'] : []),
  ];
  if (flags.length === 0) return argv;
  const at = argv.indexOf(process.execPath);
  if (at < 0) throw new Error(`--node-flags / --cpu-prof / --gc: ${row.name} is not a node server`);
  argv.splice(at + 1, 0, ...flags);
  return argv;
}

/** The load generator's load and timing options: the scenario's, or those of the flags. */
export function loadArgs(options: Options, row: ServerRow): string[] {
  const timing = { durationS: options.durationS, warmupS: options.warmupS };
  if (options.scenario !== undefined) return options.scenario.loadgenArgs(timing, row.protocol);
  const args = ['--conns', String(options.conns)];
  const load = options.rate === undefined ? ['--depth', options.depth] : ['--rate', options.rate];
  args.push(...load.map(String));
  if (options.maxSize === undefined) args.push('--size', String(options.size));
  else args.push('--min-size', String(options.size), '--max-size', String(options.maxSize));
  args.push('--duration', String(timing.durationS), '--warmup', String(timing.warmupS));
  return args;
}

/** How a run's load reads in its line: the scenario, or size and load. */
function loadLabel(options: Options): string {
  if (options.scenario !== undefined) return `scenario ${options.scenario.id}`;
  const size = options.maxSize === undefined ? `${options.size} B` : `${options.size}-${options.maxSize} B`;
  const load = options.rate === undefined ? `${options.conns} x ${options.depth}` : `${options.rate} msgs/s`;
  return `${size}, ${load}`;
}

function loadgenArgv(options: Options, row: ServerRow, port: number, helloHex: string): string[] {
  const args = [LOADGEN_BIN, '--port', String(port), ...loadArgs(options, row), '--msg-id', '100'];
  if (row.protocol === 'framework') args.push('--expect-id', '101', '--wrap-proto', '--hello-hex', helloHex);
  return pinned(args, options.clientCpus);
}

/** The measured window on the profile clock, and what the server did in it. */
interface RunResult {
  usPerMsg: number;
  msgs: number;
  window: { from: number; to: number };
  /** With --gc: the server's collections in the window. */
  gc?: GcCounts;
}

/**
 * One run on a fresh server: microseconds of server CPU per echo received after the warm-up. The CPU
 * window opens `warmupS` after the load generator starts (its connecting takes milliseconds) and closes
 * when it exits (its grace second, with no new frames, adds little).
 */
async function measure(options: Options, row: ServerRow, helloHex: string): Promise<RunResult> {
  const port = await freePort();
  const server = await ServerProcess.start(pinned(serverArgv(row, port, options), options.serverCpus), port);
  try {
    const gc = options.gc ? new GcTrace() : undefined;
    if (gc !== undefined) server.child.stdout?.on('data', (chunk: Buffer) => gc.feed(chunk.toString('utf8')));
    gc?.start();
    let before = cpuMicros(server.pid);
    let from = profileClockMicros();
    const window = setTimeout(() => {
      if (server.hasExited) return;
      before = cpuMicros(server.pid);
      from = profileClockMicros();
      gc?.start();
    }, options.warmupS * 1000);
    const { report } = await runLoadgen(loadgenArgv(options, row, port, helloHex)).finally(() =>
      clearTimeout(window),
    );
    if (server.hasExited) throw new Error(`${row.name} exited during the run: ${server.tail.slice(-500)}`);
    const used = cpuMicros(server.pid) - before;
    const to = profileClockMicros();
    const collections = gc?.stop();
    if (report.errors > 0) throw new Error(`the load generator counted ${report.errors} errors`);
    if (report.received === 0) throw new Error('no echo was received');
    return { usPerMsg: used / report.received, msgs: report.received, window: { from, to }, gc: collections };
  } finally {
    await server.stop();
  }
}

/** The .cpuprofile files in dir (none when it does not exist yet). */
function profilesIn(dir: string): Set<string> {
  if (!fs.existsSync(dir)) return new Set();
  return new Set(fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')));
}

/** The run's profile (the file that appeared in dir), its top functions per message over the window. */
function printProfileTop(dir: string, seenBefore: Set<string>, result: RunResult): void {
  const added = [...profilesIn(dir)].filter((name) => !seenBefore.has(name));
  if (added.length !== 1) {
    console.log(`  (expected one new profile in ${dir}, found ${added.length})`);
    return;
  }
  const file = path.join(dir, added[0]);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  console.log(`  ${file}, top self time over the window (JS-visible):`);
  for (const { name, usPerMsg } of topSelfPerMessage(profile, result.window, result.msgs, PROFILE_TOP))
    console.log(`  ${usPerMsg.toFixed(3).padStart(8)} us/msg  ${name}`);
}

function printGc(gc: GcCounts, msgs: number): void {
  const perThousand = (n: number): string => ((n * 1000) / msgs).toFixed(3);
  console.log(
    `  gc: ${perThousand(gc.young)} young and ${perThousand(gc.full)} full collections per 1000 messages, ` +
      `${((gc.pauseMs * 1000) / msgs).toFixed(3)} us of main-thread pause (wall time) per message`,
  );
}

/** Each later row against the first, by the median of paired ratios. */
function printComparison(options: Options, results: number[][]): void {
  const [first, ...others] = options.rows;
  for (const [i, row] of options.rows.entries())
    console.log(`${row.name}: median ${median(results[i]).toFixed(3)} us/msg`);
  for (const [i, row] of others.entries()) {
    const paired = pairedRatios(results[i + 1], results[0]);
    console.log(
      `${row.name} / ${first.name}: ${paired.median.toFixed(3)}x by the median of ${paired.pairs} paired runs ` +
        `(${paired.min.toFixed(3)}-${paired.max.toFixed(3)})`,
    );
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const framework = options.rows.some((row) => row.protocol === 'framework');
  const hello = framework ? buildHelloHex(frameworkProtocolVersion()) : '';
  const results: number[][] = options.rows.map(() => []);
  for (let run = 1; run <= options.runs; run++) {
    for (const [i, row] of options.rows.entries()) {
      const seen = options.cpuProf === undefined ? undefined : profilesIn(options.cpuProf);
      const result = await measure(options, row, hello);
      results[i].push(result.usPerMsg);
      console.log(
        `run ${run} ${row.name}, ${loadLabel(options)}: ${result.usPerMsg.toFixed(3)} us of server CPU per message (${result.msgs} messages)`,
      );
      if (result.gc !== undefined) printGc(result.gc, result.msgs);
      if (seen !== undefined) printProfileTop(options.cpuProf!, seen, result);
    }
  }
  printComparison(options, results);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:cost: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(1);
  });
}
