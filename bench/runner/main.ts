/**
 * `npm run bench`: starts every selected server as a child process, drives it with the native load
 * generator in each scenario, and writes a table of medians and ratios to bench/results/<out>.{json,md}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliOptions, USAGE, parseCli } from './cli';
import { buildHelloHex, frameworkProtocolVersion } from './hello';
import { describeMachine } from './machine';
import { LOADGEN_BIN, REPO_ROOT, RESULTS_DIR } from './paths';
import { measureIdleMemory } from './idle-memory';
import { ServerProcess, freePort, pinned, runLoadgen } from './processes';
import {
  RowResult,
  ScenarioResult,
  SuiteResult,
  addPaired,
  addRatios,
  renderMarkdown,
  summarise,
} from './report';
import { Measurement, SCENARIOS, Scenario } from './scenarios';
import { ServerRow, serversFor, unavailableReason } from './servers';

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function relative(file: string): string {
  return path.relative(REPO_ROOT, file) || file;
}

function protocolArgs(row: ServerRow, helloHex: string): string[] {
  const own = [...(row.wsPath !== undefined ? ['--ws', row.wsPath] : []), ...(row.loadgenArgs ?? [])];
  if (row.protocol === 'raw') return ['--msg-id', '100', ...own];
  return ['--msg-id', '100', '--expect-id', '101', '--wrap-proto', '--hello-hex', helloHex, ...own];
}

async function measureOnce(scenario: Scenario, row: ServerRow, options: CliOptions, hello: string) {
  const port = await freePort();
  const server = await ServerProcess.start(pinned(row.command(port), options.serverCpus), port);
  try {
    const settings = { durationS: options.durationS, warmupS: options.warmupS };
    const args = [LOADGEN_BIN, '--port', String(port), ...scenario.loadgenArgs(settings, row.protocol)];
    args.push(...protocolArgs(row, hello), '--threads', String(options.loadgenThreads));
    if (options.verify && scenario.kind === 'echo') args.push('--verify');
    if (scenario.kind !== 'memory') {
      const { report } = await runLoadgen(pinned(args, options.clientCpus));
      return { report } satisfies Measurement;
    }
    const withConns = (conns: number): string[] =>
      pinned([...args, '--conns', String(conns)], options.clientCpus);
    return (await measureIdleMemory(server.pid, options.idleConns, withConns)) satisfies Measurement;
  } catch (error) {
    const tail = server.tail ? ` (server said: ${server.tail.split('\n').slice(-3).join(' | ')})` : '';
    throw new Error(`${(error as Error).message}${tail}`);
  } finally {
    await server.stop();
  }
}

async function runScenario(scenario: Scenario, options: CliOptions, hello: string | Error) {
  const wantedKind = scenario.kind === 'memory' ? 'echo' : scenario.kind;
  const rows = serversFor(wantedKind, scenario.servers).filter((r) => options.servers.includes(r.name));
  const results = new Map<string, { row: RowResult; measurements: Measurement[] }>();
  for (const r of rows) {
    let reason = unavailableReason(r, fs.existsSync);
    if (reason?.startsWith('missing ')) reason = `missing ${relative(reason.slice(8))}`;
    if (reason === undefined && r.protocol === 'framework' && hello instanceof Error) {
      reason = `cannot build Hello: ${hello.message}`;
    }
    const status = reason ? 'not available' : 'ok';
    const row: RowResult = {
      server: r.name,
      label: r.label,
      status,
      reason,
      runs: [],
      extras: {},
      errors: 0,
      ratios: {},
    };
    results.set(r.name, { row, measurements: [] });
  }
  // Runs are interleaved (run 1 of every server, then run 2...) so slow drifts of a shared machine
  // spread over all servers; every run gets a fresh server process.
  for (let run = 1; run <= options.runs; run++) {
    for (const r of rows) {
      const entry = results.get(r.name)!;
      if (entry.row.status !== 'ok') continue;
      try {
        const m = await measureOnce(scenario, r, options, hello instanceof Error ? '' : hello);
        entry.measurements.push(m);
        const value = scenario.metric.pick(m);
        log(
          `(${scenario.id}) run ${run}/${options.runs} ${r.name}: ${value.toFixed(1)} ${scenario.metric.label}, errors ${m.report.errors}`,
        );
      } catch (error) {
        entry.row.status = 'failed';
        entry.row.reason = (error as Error).message.replace(/\s+/g, ' ').slice(0, 300);
        log(`(${scenario.id}) run ${run}/${options.runs} ${r.name}: FAILED ${entry.row.reason}`);
      }
    }
  }
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    metric: scenario.metric.label,
    higherIsBetter: scenario.metric.higherIsBetter,
    extraLabels: scenario.extras.map((c) => c.label),
    baselines: scenario.baselines,
    notes: [],
    rows: [...results.values()].map(({ row, measurements }) =>
      row.status === 'ok' ? summarise(scenario, row, measurements) : row,
    ),
  };
  return addPaired(addRatios(result), options.paired);
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    log(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!fs.existsSync(LOADGEN_BIN)) {
    log(`bench: ${relative(LOADGEN_BIN)} is missing; run \`npm run bench:build\` first`);
    return 1;
  }
  let hello: string | Error;
  try {
    hello = buildHelloHex(frameworkProtocolVersion());
  } catch (error) {
    hello = error as Error;
  }
  const { help: _help, out, overwrite, ...recorded } = options;
  const taken = ['json', 'md']
    .map((ext) => path.join(RESULTS_DIR, `${out}.${ext}`))
    .filter((f) => fs.existsSync(f));
  if (taken.length > 0 && !overwrite) {
    log(`bench: ${taken.map(relative).join(' and ')} exist; pick another --out NAME or add --overwrite`);
    return 2;
  }
  const suite: SuiteResult = {
    date: new Date().toISOString(),
    machine: describeMachine(),
    options: recorded,
    scenarios: [],
  };
  for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.id))) {
    suite.scenarios.push(await runScenario(scenario, options, hello));
  }
  const markdown = renderMarkdown(suite);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${out}.json`), `${JSON.stringify(suite, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, `${out}.md`), markdown);
  process.stdout.write(markdown);
  log(`bench: wrote ${relative(path.join(RESULTS_DIR, `${out}.json`))} and ${out}.md`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
