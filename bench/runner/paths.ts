/** Locations the benchmark needs, found from this file whether run from bench/ (vitest) or dist/bench/. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'fastport')
      return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the fastport repository above ${start}`);
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const BUILD_BENCH = path.join(REPO_ROOT, 'build-bench');
export const LOADGEN_BIN = path.join(BUILD_BENCH, 'loadgen');
export const REFERENCE_BIN = path.join(BUILD_BENCH, 'echo-server');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
/** The compiled tree this file runs from (a copy of dist/ elsewhere runs its own servers), else dist/. */
const compiledTree = path.resolve(__dirname, '..', '..');
export const DIST = fs.existsSync(path.join(compiledTree, 'bench', 'runner', 'paths.js'))
  ? compiledTree
  : path.join(REPO_ROOT, 'dist');
/** The addon of another commit for `-before` rows (scripts/bench/build-before.sh). */
export const BEFORE_ADDON = path.join(REPO_ROOT, 'build-before', 'build', 'Release', 'fastport.node');
/** Another built checkout for `-before-tree` rows (its dist/ and addon), from FASTPORT_BEFORE_TREE. */
export const BEFORE_TREE = process.env.FASTPORT_BEFORE_TREE || undefined;
