/**
 * The one loader of the native addon. Prefers a local build (build/Release/fastport.node, made by
 * `npm run build:native`), then the prebuild the package ships (prebuilds/<platform>-<arch>/fastport.node),
 * and logs which one it loaded. Nothing else in the repo requires the .node file.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../logging';
import { checkCloseReasons, type NativeBinding } from './native';

const ADDON_FILE = 'fastport.node';

/** The package root: this file sits at framework/transport/ (source) or dist/framework/transport/ (built). */
function packageRoot(): string {
  let dir = resolve(__dirname);
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(__dirname, '..', '..');
}

/** Candidate addon paths, most preferred first; FASTPORT_ADDON (e.g. the sanitizer build) comes first. */
export function addonCandidates(root = packageRoot()): string[] {
  const override = process.env.FASTPORT_ADDON;
  return [
    ...(override ? [resolve(override)] : []),
    join(root, 'build', 'Release', ADDON_FILE),
    join(root, 'prebuilds', `${process.platform}-${process.arch}`, ADDON_FILE),
  ];
}

/** What a candidate path is, for the log line: the FASTPORT_ADDON override, a local build or the prebuild. */
export function addonOrigin(
  path: string,
  root = packageRoot(),
): 'FASTPORT_ADDON' | 'local build' | 'prebuild' {
  if (path === join(root, 'build', 'Release', ADDON_FILE)) return 'local build';
  if (path === join(root, 'prebuilds', `${process.platform}-${process.arch}`, ADDON_FILE)) return 'prebuild';
  return 'FASTPORT_ADDON';
}

let cached: NativeBinding | undefined;
let cachedError: Error | undefined;

/** Loads and checks the first existing candidate; throws an Error that says how to rebuild when it cannot. */
export function loadBindingFrom(candidates: readonly string[]): NativeBinding {
  const path = candidates.find((p) => existsSync(p));
  try {
    if (!path) {
      throw new Error(`fastport native addon not found (looked in ${candidates.join(', ')})`);
    }
    const binding = require(path) as NativeBinding;
    checkCloseReasons(binding);
    return binding;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${detail}${path ? ` (loading ${path})` : ''}. Build the addon with \`npm run build:native\` ` +
        `or use engine 'node'.`,
    );
  }
}

/** Loads (once) and checks the addon from the default places. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  if (cachedError) throw cachedError;
  try {
    const candidates = addonCandidates();
    cached = loadBindingFrom(candidates);
    const path = candidates.find((p) => existsSync(p)) as string;
    createLogger().info({ addon: path, origin: addonOrigin(path) }, 'native addon loaded');
    return cached;
  } catch (err) {
    cachedError = err as Error;
    throw cachedError;
  }
}

/** The binding, or the reason it cannot be loaded. */
export function tryLoadBinding():
  { binding: NativeBinding; error?: undefined } | { binding?: undefined; error: Error } {
  try {
    return { binding: loadBinding() };
  } catch (err) {
    return { error: err as Error };
  }
}
