import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../usage-error';
import { createProject, NewProjectError } from './new-project';
import { codegenRoot, fastportRoot, isInstalled, readManifest } from './package-roots';

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

interface NewOptions {
  readonly name?: string;
  readonly fastport?: string;
  readonly codegen?: string;
}

/**
 * The spec the project around an installed package (…/node_modules/<name>) took it with, when it is a
 * local file (a tarball or folder, not the registry): a new project installs it the same way.
 */
function installedFromFile(root: string, name: string): string | undefined {
  const parts = root.split(path.sep);
  const project = parts.slice(0, parts.lastIndexOf('node_modules')).join(path.sep) || path.sep;
  try {
    const manifest = readManifest(project);
    const spec = manifest.dependencies?.[name] ?? manifest.devDependencies?.[name];
    if (spec?.startsWith('file:')) return `file:${path.resolve(project, spec.slice(5))}`;
  } catch {
    // no readable project manifest: fall back to the registry version
  }
  return undefined;
}

/** The default spec of a package: this checkout's folder, else how the project installed it, else ^version. */
function defaultSpec(root: string, name: string): string {
  if (!isInstalled(root)) return `file:${root}`;
  return installedFromFile(root, name) ?? `^${readManifest(root).version}`;
}

/** A path on disk becomes an absolute `file:` spec; anything else (a version range) is kept. */
function dependencySpec(option: string, spec: string | undefined, fallback: () => string): string {
  if (spec === undefined) return fallback();
  const file = spec.startsWith('file:') ? spec.slice(5) : spec;
  if (fs.existsSync(file)) return `file:${path.resolve(file)}`;
  if (spec.startsWith('file:') || spec.endsWith('.tgz'))
    throw new UsageError(`${option}: ${file} does not exist`);
  return spec;
}

function run(dir: string, options: NewOptions): number {
  const name = options.name ?? path.basename(path.resolve(dir)).toLowerCase();
  if (!NPM_NAME.test(name) || name.length > 214)
    throw new UsageError(`${JSON.stringify(name)} is not a valid npm package name (use --name)`);
  let fastportSpec: string;
  let codegenSpec: string;
  let files: string[];
  try {
    fastportSpec = dependencySpec('--fastport', options.fastport, () =>
      defaultSpec(fastportRoot(), 'fastport'),
    );
    codegenSpec = dependencySpec('--codegen', options.codegen, () =>
      defaultSpec(codegenRoot(), '@fastport/codegen'),
    );
    files = createProject({ dir, name, fastportSpec, codegenSpec });
  } catch (error) {
    if (!(error instanceof NewProjectError)) throw error;
    console.error(`fastport new: ${error.message}`);
    return 1;
  }
  const relative = path.relative(process.cwd(), path.resolve(dir)) || '.';
  const shown = relative.startsWith('..') ? path.resolve(dir) : relative;
  console.log(`created ${name} in ${shown} (${files.length} files; fastport: ${fastportSpec})`);
  console.log(`\nnext:\n  cd ${shown}\n  npm install\n  npm run build\n  npm test\n  npm start`);
  return 0;
}

/** `fastport new <dir>`: the command; its action reports the exit code through `done`. */
export function newCommand(done: (code: number) => void): Command {
  return new Command('new')
    .summary('create a game-server project (proto, controller, service, test) in a new directory')
    .description(
      'Creates a runnable game-server project in <dir> (a new or empty directory): package.json, tsconfig, ' +
        'proto/game.proto (LoginReq / LoginRes), generated code, a controller with @Handler(LoginReq), a service ' +
        'injected through inversify, src/main.ts, a type-checked vitest test that logs in through GameClient, ' +
        'and a README.',
    )
    .argument('<dir>', 'the project directory (new or empty)')
    .option('--name <name>', "npm package name (default: the directory's name)")
    .option(
      '--fastport <spec>',
      'the fastport dependency: a version range, or a path to a packed tarball or folder (default: this ' +
        'checkout when run from one; when run from a project, the tarball or folder it installed fastport ' +
        'from, else ^<this version>)',
    )
    .option('--codegen <spec>', 'the @fastport/codegen devDependency, in the same forms (same defaults)')
    .helpOption('-h, --help', 'show this help')
    .action((dir: string, options: NewOptions) => done(run(dir, options)));
}
