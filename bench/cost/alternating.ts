/**
 * For in-process cost harnesses (raw-path.ts): their flags, and CPU per call of several builds fed in
 * alternating short slices, so a change of machine load hits every build alike.
 */
import { parseArgs } from 'node:util';

/** Batches per slice when builds alternate. */
const SLICE_BATCHES = 50;

export interface HarnessFlags {
  /** Frames fed to each build per run. */
  frames: number;
  size: number;
  runs: number;
  /** Another build to compare with (what it names is the harness's to say). */
  against: string | undefined;
  /** raw-path: the batch's record type, `frame` (a FRAME record per frame) or `frames` (a FRAMES record per session, as epoll reads them). */
  records: string;
}

export function parseHarnessFlags(defaultFrames: number): HarnessFlags {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: String(defaultFrames) },
      size: { type: 'string', default: '64' },
      runs: { type: 'string', default: '5' },
      against: { type: 'string' },
      records: { type: 'string', default: 'frame' },
    },
  });
  return {
    frames: Number(values.frames),
    size: Number(values.size),
    runs: Number(values.runs),
    against: values.against,
    records: values.records,
  };
}

/** Calls every turn `calls` times, to let the JIT settle before a measurement. */
export function warmUp(turns: (() => void)[], calls: number): void {
  for (const turn of turns) for (let b = 0; b < calls; b++) turn();
}

/**
 * CPU microseconds (user + system) each of `turns` took per call over at least `batches` calls each; the
 * builds alternate every SLICE_BATCHES calls. Returns the calls made per build too.
 */
export function cpuPerTurn(turns: (() => void)[], batches: number): { perTurn: number[]; calls: number } {
  const used = turns.map(() => 0);
  let calls = 0;
  for (; calls < batches; calls += SLICE_BATCHES) {
    turns.forEach((turn, i) => {
      const before = process.cpuUsage();
      for (let b = 0; b < SLICE_BATCHES; b++) turn();
      const slice = process.cpuUsage(before);
      used[i] += slice.user + slice.system;
    });
  }
  return { perTurn: used.map((us) => us / calls), calls };
}
