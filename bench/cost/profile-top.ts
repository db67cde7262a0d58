/**
 * `node dist/bench/cost/profile-top.js FILE.cpuprofile [N]`: the N (default 15) functions with the most
 * self time in a V8 CPU profile (node --cpu-prof), as % of the samples that were not idle (a native
 * function called from JS counts as its caller's self time).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
}

/** Samples of the event loop waiting: not work. `(program)` (native code outside any JS call) is kept. */
const NOT_WORK = new Set(['(idle)']);

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${path.basename(url)}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${file}`;
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
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => ({ name, share: n / Math.max(total, 1) }));
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
