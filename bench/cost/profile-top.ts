/**
 * `node dist/bench/cost/profile-top.js FILE.cpuprofile [N]`: the N (default 15) functions with the most
 * self time in a V8 CPU profile (node --cpu-prof), as % of the samples that were not idle (a native
 * function called from JS counts as its caller's self time). bench:cost also prints, per run, the top
 * functions in microseconds per message over its measured window (topSelfPerMessage).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  /** Microseconds on CLOCK_MONOTONIC, the clock of process.hrtime in any process of the machine. */
  startTime?: number;
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas?: number[];
}

/** Samples of the event loop waiting: not work. `(program)` (native code outside any JS call) is kept. */
const NOT_WORK = new Set(['(idle)']);

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${path.basename(url)}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${file}`;
}

/** The `count` entries of `byName` with the largest values, largest first. */
function largest(byName: Map<string, number>, count: number): [string, number][] {
  return [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
}

export function topSelf(profile: Profile, count: number): { name: string; share: number }[] {
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? node.hitCount ?? 0;
    if (n === 0 || NOT_WORK.has(node.callFrame.functionName)) continue;
    total += n;
    const name = label(node);
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  return largest(byName, count).map(([name, n]) => ({ name, share: n / Math.max(total, 1) }));
}

/** Now on the clock of V8's profile timestamps (microseconds, CLOCK_MONOTONIC). */
export function profileClockMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * The `count` functions with the most self time between `from` and `to` (profileClockMicros), in
 * microseconds per message of `messages` handled in that window. JS-visible time only: native work outside
 * any JS call (the engine's reads before it calls JS) is sampled as (idle), left out.
 */
export function topSelfPerMessage(
  profile: Profile,
  window: { from: number; to: number },
  messages: number,
  count: number,
): { name: string; usPerMsg: number }[] {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (profile.startTime === undefined || deltas.length !== samples.length)
    throw new Error('the profile has no sample timestamps');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byName = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i];
    const node = byId.get(samples[i]);
    // A sample stands for the interval up to the next one (its delta is the interval before it).
    const interval = deltas[i + 1] ?? 0;
    if (node === undefined || at < window.from || at >= window.to) continue;
    if (NOT_WORK.has(node.callFrame.functionName)) continue;
    const name = label(node);
    byName.set(name, (byName.get(name) ?? 0) + interval);
  }
  return largest(byName, count).map(([name, micros]) => ({ name, usPerMsg: micros / Math.max(messages, 1) }));
}

if (require.main === module) {
  const [file, countArg] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node dist/bench/cost/profile-top.js FILE.cpuprofile [N]');
    process.exit(1);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  for (const { name, share } of topSelf(profile, Number(countArg ?? 15)))
    console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
}
