/**
 * The idle-memory measurement (scenarios e and wse): the server's resident memory after a first and a
 * second half of the idle connections, each opened as one burst by its own load generator run.
 *
 * - whole growth per connection: (RSS after all - RSS before) / all connections. It charges every session
 *   a share of costs that do not grow with sessions (V8's young generation grown during the burst, the
 *   pools' first blocks, code compiled on the first Hello).
 * - marginal cost per connection: (RSS after all - RSS after the first half) / second-half connections,
 *   the slope: what one more idle session holds once the server has seen a burst of them.
 */
import { LoadgenReport } from './loadgen-report';
import { StartedLoadgen, residentBytes, startLoadgen } from './processes';

const SETTLE_MS = 1000; // after a burst's last connect (its Hellos go out then), before VmRSS is read
/** Long enough to cover the second burst; both runs are ended by a stop once measured. */
const HOLD_S = 300;

export interface IdleMemory {
  /** Both runs' reports, added up (connected, errors and their kinds). */
  report: LoadgenReport;
  bytesPerConn: number;
  marginalBytesPerConn: number;
}

/** Counts of two runs added up; the rest is the first run's. */
function addReports(a: LoadgenReport, b: LoadgenReport): LoadgenReport {
  const sum = { ...a };
  const counts = [
    'conns',
    'connected',
    'sent',
    'received',
    'errors',
    'connect_errors',
    'lost_connections',
    'seq_errors',
    'verify_errors',
    'protocol_errors',
    'outstanding_at_end',
    'other_frames',
    'pushes',
  ] as const;
  for (const key of counts) sum[key] = a[key] + b[key];
  return sum;
}

interface HeldRun {
  loadgen: StartedLoadgen;
  /** The server's RSS once this run's connections are up and settled. */
  rss: Promise<number>;
}

/** Starts an idle run that holds its connections until stopped. */
function holdIdle(pid: number, argv: string[]): HeldRun {
  let settled!: (rss: number) => void;
  const measured = new Promise<number>((resolve) => (settled = resolve));
  const loadgen = startLoadgen([...argv, '--duration', String(HOLD_S)], async () => {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const rss = residentBytes(pid);
    settled(rss);
    return rss;
  });
  const ended = loadgen.run.then((run) => {
    if (run.measured === undefined)
      throw new Error('the load generator ended before its connections were up');
    return run.measured;
  });
  ended.catch(() => {}); // a failure after the measurement surfaces through loadgen.run
  return { loadgen, rss: Promise.race([measured, ended]) };
}

/**
 * Opens `conns` idle connections to the server `pid` in two bursts; loadgenArgv(n) is the load generator's
 * argv for n idle connections (without --duration).
 */
export async function measureIdleMemory(
  pid: number,
  conns: number,
  loadgenArgv: (conns: number) => string[],
): Promise<IdleMemory> {
  if (conns < 2) throw new Error(`idle memory needs at least 2 connections (one per burst), got ${conns}`);
  const before = residentBytes(pid);
  const first = holdIdle(pid, loadgenArgv(Math.floor(conns / 2)));
  let second: HeldRun | undefined;
  try {
    const afterFirst = await first.rss;
    second = holdIdle(pid, loadgenArgv(conns - Math.floor(conns / 2)));
    const afterAll = await second.rss;
    first.loadgen.stop();
    second.loadgen.stop();
    const [a, b] = await Promise.all([first.loadgen.run, second.loadgen.run]);
    const report = addReports(a.report, b.report);
    return {
      report,
      bytesPerConn: (afterAll - before) / Math.max(report.connected, 1),
      marginalBytesPerConn: (afterAll - afterFirst) / Math.max(b.report.connected, 1),
    };
  } finally {
    first.loadgen.stop();
    second?.loadgen.stop();
  }
}
