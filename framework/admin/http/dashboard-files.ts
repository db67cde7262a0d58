import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** URL path -> file in framework/admin/dashboard/ and its content type. */
const FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
};

/**
 * The dashboard's folder: next to this module when run from source, and the same source folder when run
 * from dist/ (tsc does not copy non-TS files; the package ships framework/admin/dashboard/).
 */
function dashboardDir(): string {
  const candidates = [
    join(__dirname, '..', 'dashboard'),
    join(__dirname, '..', '..', '..', '..', 'framework', 'admin', 'dashboard'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`dashboard files not found (looked in ${candidates.join(', ')})`);
  return found;
}

const cache = new Map<string, { type: string; body: Buffer }>();

/** The dashboard file served at `path`, or undefined when `path` is not one. Read once, then cached. */
export function dashboardFile(path: string): { type: string; body: Buffer } | undefined {
  const entry = FILES[path];
  if (entry === undefined) return undefined;
  let file = cache.get(path);
  if (file === undefined) {
    file = { type: entry[1], body: readFileSync(join(dashboardDir(), entry[0])) };
    cache.set(path, file);
  }
  return file;
}
