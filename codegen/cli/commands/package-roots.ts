import * as fs from 'node:fs';
import * as path from 'node:path';

/** Thrown when the project cannot be created (the CLI prints the message and exits 1). */
export class NewProjectError extends Error {}

export interface Manifest {
  readonly name?: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

export function readManifest(root: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
}

/** The folder of the nearest package.json above start whose name is `name`. */
function packageAbove(start: string, name: string): string | undefined {
  for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && readManifest(dir).name === name) return dir;
  }
  return undefined;
}

/** The root of the @fastport/codegen package this code runs from (codegen/ or codegen/dist/ inside it). */
export function codegenRoot(start = __dirname): string {
  const root = packageAbove(start, '@fastport/codegen');
  if (root === undefined)
    throw new NewProjectError(`cannot find the @fastport/codegen package above ${start}`);
  return root;
}

/**
 * The fastport package that goes with this codegen: installed beside it (a game project), else the
 * checkout it is a workspace of.
 */
export function fastportRoot(start = __dirname): string {
  try {
    return path.dirname(require.resolve('fastport/package.json', { paths: [codegenRoot(start)] }));
  } catch {
    const root = packageAbove(path.dirname(codegenRoot(start)), 'fastport');
    if (root === undefined)
      throw new NewProjectError('cannot find the fastport package beside @fastport/codegen');
    return root;
  }
}

/** True when the package at root was installed into a project's node_modules (not a checkout). */
export function isInstalled(root: string): boolean {
  return root.split(path.sep).includes('node_modules');
}
