/**
 * The cost tools (bench/cost): a scenario's load for bench:cost, a profile's top functions per message over
 * a window of the run, a process's collections from its --trace-gc lines, and the JS-path feeder in the seed scenario's shape (1000 sessions x 1 frame).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadArgs, parse } from '../../bench/cost/cpu-per-msg';
import { GcTrace } from '../../bench/cost/gc-trace';
import { feedEchoServer, type FedServer } from '../../bench/cost/js-path';
import { topSelfPerMessage, type Profile } from '../../bench/cost/profile-top';
import { SCENARIOS } from '../../bench/runner/scenarios';
import { DIST } from '../../bench/runner/paths';
import { beforeTreeRow, SERVERS, unavailableReason } from '../../bench/runner/servers';

const frameworkRow = SERVERS.find((row) => row.name === 'fastport-epoll')!;

describe('bench:cost --scenario', () => {
  it("drives the load generator with the scenario's own load and the run's timing", () => {
    const options = parse(['--scenario', 'seed', '--duration', '2', '--warmup', '0']);
    const seed = SCENARIOS.find((s) => s.id === 'seed')!;
    expect(loadArgs(options, frameworkRow)).toEqual(
      seed.loadgenArgs({ durationS: 2, warmupS: 0 }, 'framework'),
    );
    expect(loadArgs(options, frameworkRow)).toEqual(expect.arrayContaining(['--conns', '1000']));
  });

  it('without --scenario, takes the load from the flags', () => {
    const options = parse(['--size', '4096', '--max-size', '16384', '--conns', '7', '--depth', '2']);
    expect(loadArgs(options, frameworkRow)).toEqual([
      ...['--conns', '7', '--depth', '2', '--min-size', '4096', '--max-size', '16384'],
      ...['--duration', '5', '--warmup', '1'],
    ]);
  });

  it('refuses a scenario that is not an echo scenario, naming the ones there are', () => {
    expect(() => parse(['--scenario', 'g'])).toThrow(/'g' is not an echo scenario \(.*seed/);
  });
});

describe('-before-tree rows (another built checkout)', () => {
  it("run the other tree's dist/ (its TypeScript and addon), the rest of the command as it was", () => {
    const row = beforeTreeRow(frameworkRow, '/elsewhere/main');
    const argv = row.command(7200);
    const script = path.join('/elsewhere/main', 'dist', 'samples', 'echo', 'server.js');
    expect(argv).toEqual(frameworkRow.command(7200).map((arg) => (arg.startsWith(DIST) ? script : arg)));
    expect(argv).toContain(script);
    expect(row.requires).toEqual([script]);
    expect(row.name).toBe('fastport-epoll-before-tree');
    expect(unavailableReason(row, () => true)).toBeUndefined();
    expect(unavailableReason(row, () => false)).toBe(`missing ${script}`);
  });

  it('are not available without a tree', () => {
    expect(unavailableReason(beforeTreeRow(frameworkRow, undefined), () => true)).toBe(
      'FASTPORT_BEFORE_TREE is not set',
    );
  });

  // The registered rows take the tree from the environment at load: this case needs it unset.
  it.skipIf(process.env.FASTPORT_BEFORE_TREE !== undefined)(
    'bench:cost refuses a row that is not available, saying why (skipped when FASTPORT_BEFORE_TREE is set)',
    () => {
      expect(() => parse(['--server', 'fastport-epoll-before-tree'])).toThrow(
        /fastport-epoll-before-tree is not available: FASTPORT_BEFORE_TREE is not set/,
      );
    },
  );
});

describe('a profile per message over a window', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("counts only the window's samples, by function", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-cost-'));
    // Busy outside the window, then inside it, then outside again; the window's bounds are printed on the
    // clock of the profile's timestamps (CLOCK_MONOTONIC, as process.hrtime).
    const script = `
      const now = () => Number(process.hrtime.bigint() / 1000n);
      // Each loops in its own body: the samples are its self time.
      function busyOutside() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) x++; return x; }
      function busyInWindow() { const end = Date.now() + 150; let x = 0; while (Date.now() < end) x++; return x; }
      busyOutside();
      const from = now();
      busyInWindow();
      const to = now();
      busyOutside();
      console.log(JSON.stringify({ from, to }));`;
    const window = JSON.parse(
      execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '-e', script], {
        encoding: 'utf8',
      }),
    ) as { from: number; to: number };
    const [file] = fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;

    const messages = 10;
    const top = topSelfPerMessage(profile, window, messages, 5);
    expect(top[0].name).toMatch(/^busyInWindow /);
    expect(top.some((entry) => entry.name.startsWith('busyOutside'))).toBe(false);
    const counted = top.reduce((sum, entry) => sum + entry.usPerMsg * messages, 0);
    const longestInterval = Math.max(...(profile.timeDeltas ?? [0]));
    expect(counted).toBeLessThanOrEqual(window.to - window.from + longestInterval);
  });
});

describe('the JS-path feeder', () => {
  let fed: FedServer | undefined;
  afterEach(async () => {
    await fed?.stop();
    fed = undefined;
  });

  it("feeds batches in the seed scenario's shape: one frame for each of 1000 sessions", async () => {
    fed = await feedEchoServer(4096, { sessions: 1000, perSession: 1 });
    const before = fed.answered;
    fed.turn();
    expect(fed.batchFrames).toBe(1000);
    expect(fed.answered - before).toBe(1000);
  });
});

describe('collections from --trace-gc', () => {
  it("counts a real process's young and full collections, lines split across chunks, only between start and stop", () => {
    // Young garbage until several scavenges ran, then one full collection on request.
    const script = `
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1000) keep = []; }
      console.log('--- full');
      globalThis.gc();`;
    const output = execFileSync(process.execPath, ['--trace-gc', '--expose-gc', '-e', script], {
      encoding: 'utf8',
    });
    const lines = output.split('\n');
    const young = lines.filter((line) => / ms: Scavenge /.test(line)).length;
    const full = lines.filter((line) => / ms: Mark-(Compact|Sweep) /.test(line)).length;
    expect(young).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(0);

    const trace = new GcTrace();
    trace.feed('[1:0x1]  5 ms: Scavenge 1.0 (2.0) -> 0.5 (2.0) MB, 0.50 / 0.00 ms  before start\n');
    trace.start();
    for (let at = 0; at < output.length; at += 7) trace.feed(output.slice(at, at + 7));
    trace.feed('\n');
    const counted = trace.stop();
    trace.feed('[1:0x1]  9 ms: Mark-Compact 1.0 (2.0) -> 0.5 (2.0) MB, 0.50 / 0.00 ms  after stop\n');
    expect(counted).toMatchObject({ young, full });
    expect(counted.pauseMs).toBeGreaterThan(0);
    expect(trace.stop()).toEqual(counted);
  });
});
