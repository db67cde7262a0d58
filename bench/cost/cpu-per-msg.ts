/**
 * `npm run bench:cost`: server CPU per message, a figure that a busy machine barely changes (throughput
 * does). Starts one bench server row pinned, drives it closed-loop with the native load generator on
 * another CPU, and divides the server's utime+stime over the run (/proc/PID/stat) by the echoes received.
 * `--cpu-prof DIR` also writes a V8 CPU profile of each run's server into DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHelloHex, frameworkProtocolVersion } from '../runner/hello';
import { LOADGEN_BIN } from '../runner/paths';
import { freePort, pinned, runLoadgen, ServerProcess } from '../runner/processes';
import { SERVERS, type ServerRow } from '../runner/servers';

const USAGE = `usage: npm run bench:cost -- [options]
  --server NAME       a bench server row (default fastport-epoll): ${SERVERS.map((s) => s.name).join(', ')}
  --size BYTES        payload bytes (default 64)
  --max-size BYTES    payloads uniform in [--size, --max-size] (the seed scenario: --size 4096 --max-size 16384)
  --conns N           connections (default 100)
  --depth N           frames in flight per connection (default 4)
  --duration S        seconds per run (default 5)
  --runs N            runs, each on a fresh server (default 3)
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

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${flag}: expected a whole number >= 1, got '${value}'`);
  return n;
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
      duration: { type: 'string', default: '5' },
      runs: { type: 'string', default: '3' },
      'server-cpus': { type: 'string', default: '0' },
      'client-cpus': { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const row = SERVERS.find((s) => s.name === values.server);
  if (row === undefined) throw new Error(`unknown --server ${values.server}`);
  return {
    row,
    size: wholeNumber('size', values.size),
    maxSize: values['max-size'] === undefined ? undefined : wholeNumber('max-size', values['max-size']),
    conns: wholeNumber('conns', values.conns),
    depth: wholeNumber('depth', values.depth),
    durationS: wholeNumber('duration', values.duration),
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

function loadgenArgv(options: Options, port: number, helloHex: string): string[] {
  const { row } = options;
  const args = [LOADGEN_BIN, '--port', String(port), '--conns', String(options.conns)];
  args.push('--depth', String(options.depth));
  if (options.maxSize === undefined) args.push('--size', String(options.size));
  else args.push('--min-size', String(options.size), '--max-size', String(options.maxSize));
  args.push('--duration', String(options.durationS), '--warmup', '0', '--msg-id', '100');
  if (row.protocol === 'framework') args.push('--expect-id', '101', '--wrap-proto', '--hello-hex', helloHex);
  return pinned(args, options.clientCpus);
}

/** One run on a fresh server: microseconds of server CPU per echo received. */
async function measure(options: Options, helloHex: string): Promise<{ usPerMsg: number; msgs: number }> {
  const port = await freePort();
  const server = await ServerProcess.start(
    pinned(serverArgv(options.row, port, options.cpuProf), options.serverCpus),
    port,
  );
  try {
    const before = cpuMicros(server.pid);
    const { report } = await runLoadgen(loadgenArgv(options, port, helloHex));
    const used = cpuMicros(server.pid) - before;
    if (report.errors > 0) throw new Error(`the load generator counted ${report.errors} errors`);
    if (report.received === 0) throw new Error('no echo was received');
    return { usPerMsg: used / report.received, msgs: report.received };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const hello = options.row.protocol === 'framework' ? buildHelloHex(frameworkProtocolVersion()) : '';
  const results: number[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const { usPerMsg, msgs } = await measure(options, hello);
    results.push(usPerMsg);
    console.log(`run ${run}: ${usPerMsg.toFixed(3)} us of server CPU per message (${msgs} messages)`);
  }
  const sorted = [...results].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${options.row.name}, ${options.size}${options.maxSize === undefined ? '' : `-${options.maxSize}`} B, ${options.conns} x ${options.depth}: median ${median.toFixed(3)} us/msg`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench:cost: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
});
