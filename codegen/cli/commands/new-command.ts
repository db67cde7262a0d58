import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, type Command } from '../command';
import { createProject, fastportRoot, NewProjectError } from './new-project';

const USAGE = `usage: fastport new <dir> [--name NAME] [--fastport SPEC]

Creates a runnable game-server project in <dir> (a new or empty directory): package.json, tsconfig,
proto/game.proto (LoginReq / LoginRes), generated code, a controller with @Handler(LoginReq), a service
injected through inversify, src/main.ts, a vitest test that logs in through GameClient, and a README.
  --name NAME      npm package name (default: the directory's name)
  --fastport SPEC  the fastport dependency: a version range, or a path to a packed tarball or folder
                   (default: this checkout's folder when run from one; when run from a project's
                   node_modules, the tarball or folder that project installed fastport from, else
                   ^<this version>)`;

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

interface NewArgs {
  dir: string;
  name: string;
  fastportSpec: string;
}

/**
 * The spec of the project that installed this fastport (node_modules/fastport), when it is a local file:
 * (a tarball or folder, not on the registry): a new project installs fastport the same way.
 */
function installedFromFile(root: string): string | undefined {
  const project = path.dirname(path.dirname(root));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const spec = manifest.dependencies?.fastport ?? manifest.devDependencies?.fastport;
    if (spec?.startsWith('file:')) return `file:${path.resolve(project, spec.slice(5))}`;
  } catch {
    // no readable project manifest: fall back to the registry version
  }
  return undefined;
}

/** A path on disk becomes an absolute `file:` spec; anything else (a version range) is kept. */
function dependencySpec(spec: string | undefined): string {
  const root = fastportRoot();
  if (spec === undefined) {
    if (path.basename(path.dirname(root)) !== 'node_modules') return `file:${root}`; // a checkout
    const version = (
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
    ).version;
    return installedFromFile(root) ?? `^${version}`;
  }
  const file = spec.startsWith('file:') ? spec.slice(5) : spec;
  if (fs.existsSync(file)) return `file:${path.resolve(file)}`;
  if (spec.startsWith('file:') || spec.endsWith('.tgz'))
    throw new UsageError(`--fastport: ${file} does not exist`);
  return spec;
}

function parseArgs(args: readonly string[]): NewArgs {
  let dir: string | undefined;
  let name: string | undefined;
  let fastport: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--name') name = value();
    else if (arg === '--fastport') fastport = value();
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (dir === undefined) dir = arg;
    else throw new UsageError(`one directory only (got ${dir} and ${arg})`);
  }
  if (dir === undefined) throw new UsageError('missing the project directory');
  name ??= path.basename(path.resolve(dir)).toLowerCase();
  if (!NPM_NAME.test(name) || name.length > 214)
    throw new UsageError(`${JSON.stringify(name)} is not a valid npm package name (use --name)`);
  return { dir, name, fastportSpec: dependencySpec(fastport) };
}

export const newCommand: Command = {
  summary: 'create a game-server project (proto, controller, service, test) in a new directory',
  usage: USAGE,
  run(argv) {
    const args = parseArgs(argv);
    let files: string[];
    try {
      files = createProject(args);
    } catch (error) {
      if (!(error instanceof NewProjectError)) throw error;
      console.error(`fastport new: ${error.message}`);
      return 1;
    }
    const relative = path.relative(process.cwd(), path.resolve(args.dir)) || '.';
    const shown = relative.startsWith('..') ? path.resolve(args.dir) : relative;
    console.log(`created ${args.name} in ${shown} (${files.length} files; fastport: ${args.fastportSpec})`);
    console.log(`\nnext:\n  cd ${shown}\n  npm install\n  npm run build\n  npm test\n  npm start`);
    return 0;
  },
};
