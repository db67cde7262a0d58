/**
 * `npm run bench:cost`: server CPU per message, a figure that a busy machine changes much less than
 * throughput. Starts a bench server row pinned, drives it with the native load generator on another CPU
 * (closed loop, or a fixed offered rate with --rate), and divides the server's utime+stime after the
 * warm-up (/proc/PID/stat) by the echoes received after it. Several rows (--server a,b) run interleaved,
 * a, b, a, b, ..., each run on a fresh server, and every later row is compared with the first by the
 * median of its paired ratios (paired.ts). `--cpu-prof DIR` also writes a V8 CPU profile of each run's
 * server into DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHelloHex, frameworkProtocolVersion } from '../runner/hello';
import { LOADGEN_BIN } from '../runner/paths';
import { freePort, pinned, runLoadgen, ServerProcess } from '../runner/processes';
import { median } from '../runner/report';
import { SERVERS, type ServerRow } from '../runner/servers';
import { pairedRatios } from '../runner/paired';

const USAGE = `usage: npm run bench:cost -- [options]
  --server NAME[,NAME...]  bench server rows, interleaved; later ones compared with the first
                      (default fastport-epoll): ${SERVERS.map((s) => s.name).join(', ')}
  --size BYTES        payload bytes (default 64)
  --max-size BYTES    payloads uniform in [--size, --max-size] (the seed scenario: --size 4096 --max-size 16384)
  --conns N           connections (default 100)
  --depth N           frames in flight per connection, closed loop (default 4)
  --rate N            instead of --depth: a fixed offered load of N msgs/s over all connections
  --duration S        seconds measured per run (default 5)
  --warmup S          seconds before the measured window (default 1; 0 measures from the start)
  --runs N            runs of every row, each on a fresh server (default 3)
  --server-cpus LIST  taskset the server (default 0)
  --client-cpus LIST  taskset the load generator (default 1)
  --cpu-prof DIR      node rows: write each run's V8 CPU profile (.cpuprofile) into DIR`;

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
    return row;
  });
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string', default: 'fastport-epoll' },
      size: { type: 'string', default: '64' },
      'max-size': { type: 'string' },
      conns: { type: 'string', default: '100' },
      depth: { type: 'string', default: '4' },
      rate: { type: 'string' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      'server-cpus': { type: 'string', default: '0' },
      'client-cpus': { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
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
    durationS: wholeNumber('duration', values.duration),
    warmupS: wholeNumber('warmup', values.warmup, 0),
    runs: wholeNumber('runs', values.runs),
    serverCpus: values['server-cpus'],
    clientCpus: values['client-cpus'],
    cpuProf: values['cpu-prof'],
    help: values.help,
  };
}

type Options = ReturnType<typeof parse>;

/** The row's argv, with node's --cpu-prof flags after the node executable when asked. */
function serverArgv(row: ServerRow, port: number, cpuProf: string | undefined): string[] {
  const argv = row.command(port);
  if (cpuProf === undefined) return argv;
  const at = argv.indexOf(process.execPath);
  if (at < 0) throw new Error(`--cpu-prof: ${row.name} is not a node server`);
  argv.splice(at + 1, 0, '--cpu-prof', '--cpu-prof-dir', path.resolve(cpuProf));
  return argv;
}

function loadgenArgv(options: Options, row: ServerRow, port: number, helloHex: string): string[] {
  const args = [LOADGEN_BIN, '--port', String(port), '--conns', String(options.conns)];
  const load = options.rate === undefined ? ['--depth', options.depth] : ['--rate', options.rate];
  args.push(...load.map(String));
  if (options.maxSize === undefined) args.push('--size', String(options.size));
  else args.push('--min-size', String(options.size), '--max-size', String(options.maxSize));
  args.push('--duration', String(options.durationS), '--warmup', String(options.warmupS), '--msg-id', '100');
  if (row.protocol === 'framework') args.push('--expect-id', '101', '--wrap-proto', '--hello-hex', helloHex);
  return pinned(args, options.clientCpus);
}

/**
 * One run on a fresh server: microseconds of server CPU per echo received after the warm-up. The CPU
 * window opens `warmupS` after the load generator starts (its connecting takes milliseconds) and closes
 * when it exits (its grace second, with no new frames, adds little).
 */
async function measure(
  options: Options,
  row: ServerRow,
  helloHex: string,
): Promise<{ usPerMsg: number; msgs: number }> {
  const port = await freePort();
  const server = await ServerProcess.start(
    pinned(serverArgv(row, port, options.cpuProf), options.serverCpus),
    port,
  );
  try {
    let before = cpuMicros(server.pid);
    const window = setTimeout(() => {
      if (!server.hasExited) before = cpuMicros(server.pid);
    }, options.warmupS * 1000);
    const { report } = await runLoadgen(loadgenArgv(options, row, port, helloHex)).finally(() =>
      clearTimeout(window),
    );
    if (server.hasExited) throw new Error(`${row.name} exited during the run: ${server.tail.slice(-500)}`);
    const used = cpuMicros(server.pid) - before;
    if (report.errors > 0) throw new Error(`the load generator counted ${report.errors} errors`);
    if (report.received === 0) throw new Error('no echo was received');
    return { usPerMsg: used / report.received, msgs: report.received };
  } finally {
    await server.stop();
  }
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
  const load = options.rate === undefined ? `${options.conns} x ${options.depth}` : `${options.rate} msgs/s`;
  for (let run = 1; run <= options.runs; run++) {
    for (const [i, row] of options.rows.entries()) {
      const { usPerMsg, msgs } = await measure(options, row, hello);
      results[i].push(usPerMsg);
      console.log(
        `run ${run} ${row.name}, ${options.size} B, ${load}: ${usPerMsg.toFixed(3)} us of server CPU per message (${msgs} messages)`,
      );
    }
  }
  printComparison(options, results);
}

main().catch((error: unknown) => {
  console.error(`bench:cost: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
});
