import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrowser } from '../../../scripts/browser/build-browser';

/** The browser builds made fresh from the sources into a temporary folder (esbuild: well under a second). */
export async function buildIntoTemp(): Promise<
  Awaited<ReturnType<typeof buildBrowser>> & { remove(): void }
> {
  const dir = mkdtempSync(join(tmpdir(), 'fastport-browser-'));
  const built = await buildBrowser(dir);
  return { ...built, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
