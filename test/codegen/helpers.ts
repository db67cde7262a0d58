import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FIXTURE_PROTO = path.join(__dirname, 'fixtures', 'game', 'proto');
export const FIXTURE_GOLDEN = path.join(__dirname, 'fixtures', 'game', 'golden');

const created: string[] = [];

/** Removes the directories tempProtoDir made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (import name -> source) into a fresh temporary proto directory. */
export function tempProtoDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastport-codegen-'));
  created.push(dir);
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), source);
  }
  return dir;
}

/** All files under `dir` as relative path -> content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relName = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(relName);
      else out.set(relName, fs.readFileSync(path.join(dir, relName), 'utf8'));
    }
  };
  visit('');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}
