import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_HEADER } from './generate';

function listFiles(dir: string, rel = ''): string[] {
  const abs = path.join(dir, rel);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const relName = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, relName));
    else if (entry.isFile()) out.push(relName);
  }
  return out.sort();
}

/** Generated files in `outDir` (they start with the header) that `files` no longer contains. */
function leftovers(outDir: string, files: ReadonlyMap<string, string>): string[] {
  return listFiles(outDir).filter((rel) => {
    if (files.has(rel) || !rel.endsWith('.ts')) return false;
    return fs.readFileSync(path.join(outDir, rel), 'utf8').startsWith(GENERATED_HEADER);
  });
}

/** Paths (relative to outDir) that differ from `files`: changed, missing, or generated and no longer produced. */
export function staleFiles(outDir: string, files: ReadonlyMap<string, string>): string[] {
  const stale: string[] = [];
  for (const [rel, content] of files) {
    const abs = path.join(outDir, rel);
    if (!fs.existsSync(abs) || fs.readFileSync(abs, 'utf8') !== content) stale.push(rel);
  }
  return [...stale, ...leftovers(outDir, files)].sort();
}

/** Writes changed files only (unchanged files keep their mtime) and deletes generated leftovers. */
export function writeFiles(
  outDir: string,
  files: ReadonlyMap<string, string>,
): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed = leftovers(outDir, files);
  for (const rel of removed) fs.rmSync(path.join(outDir, rel));
  for (const [rel, content] of files) {
    const abs = path.join(outDir, rel);
    if (fs.existsSync(abs) && fs.readFileSync(abs, 'utf8') === content) continue;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    written.push(rel);
  }
  return { written, removed };
}
