import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../generate';
import { writeFiles } from '../../output';

/** Where generated code in a user's project imports FastPort's runtime from. */
export const PROJECT_RUNTIME_IMPORT = 'fastport/dist/codegen/runtime';

export interface NewProjectOptions {
  /** The directory to create (must not exist, or be empty). */
  readonly dir: string;
  /** npm package name of the project. */
  readonly name: string;
  /** The fastport dependency spec written into package.json, e.g. "^0.1.0" or "file:/abs/fastport-0.1.0.tgz". */
  readonly fastportSpec: string;
}

/** Thrown when the project cannot be created (the CLI prints the message and exits 1). */
export class NewProjectError extends Error {}

interface FastportManifest {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The root of the fastport package this code runs from (source tree or dist/). */
export function fastportRoot(start = __dirname): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fastport'
    )
      return dir;
    dir = path.dirname(dir);
  }
  throw new NewProjectError(`cannot find the fastport package above ${start}`);
}

function readManifest(root: string): FastportManifest {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as FastportManifest;
}

/** The project's package.json: versions of shared packages follow this fastport's own, so npm dedupes them. */
function packageJson(options: NewProjectOptions, fastport: FastportManifest): string {
  const dep = (name: string): string => {
    const version = fastport.dependencies?.[name] ?? fastport.devDependencies?.[name];
    if (version === undefined) throw new NewProjectError(`fastport's package.json does not name ${name}`);
    return version;
  };
  const manifest = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'commonjs',
    scripts: {
      gen: 'fastport gen',
      build: 'tsc -p tsconfig.json',
      start: 'node dist/src/main.js',
      test: 'vitest run',
    },
    dependencies: { fastport: options.fastportSpec, inversify: dep('inversify') },
    devDependencies: {
      '@swc/core': dep('@swc/core'),
      '@types/node': dep('@types/node'),
      typescript: dep('typescript'),
      'unplugin-swc': dep('unplugin-swc'),
      vitest: dep('vitest'),
    },
    // npm 11 runs a dependency's install scripts only when listed here (a registry package by name, a local
    // tarball or folder by its file: spec). fastport's compile the native addon only if the package has no
    // prebuilt one (scripts/lifecycle.js); dist/ comes compiled.
    allowScripts: {
      fastport: true,
      '@bufbuild/buf': true, // checks its platform binary
      '@swc/core': true, // checks its platform binary (used by the tests' decorator transform)
      ...(options.fastportSpec.startsWith('file:') ? { [options.fastportSpec]: true } : {}),
    },
    engines: { node: '>=20.17' },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Template files: `x.tmpl` -> `x` with {{name}} filled in; `gitignore.tmpl` -> `.gitignore` (npm drops dotfiles). */
function templateFiles(templateDir: string, name: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.tmpl')) {
        let rel = path.relative(templateDir, full).slice(0, -'.tmpl'.length);
        if (rel === 'gitignore') rel = '.gitignore';
        files.set(rel, fs.readFileSync(full, 'utf8').replaceAll('{{name}}', name));
      }
    }
  };
  walk(templateDir);
  return files;
}

function checkTarget(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new NewProjectError(`${dir} exists and is not a directory`);
  const entries = fs.readdirSync(dir);
  if (entries.length > 0)
    throw new NewProjectError(
      `refusing to write into ${dir}: the directory is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); pick a new or empty directory`,
    );
}

/** Writes the project (templates, package.json, generated code); returns the files written, relative to dir. */
export function createProject(options: NewProjectOptions): string[] {
  const dir = path.resolve(options.dir);
  checkTarget(dir);
  const root = fastportRoot();
  const templateDir = path.join(root, 'templates', 'game-server');
  if (!fs.existsSync(templateDir))
    throw new NewProjectError(`the project templates are missing: ${templateDir}`);
  const files = templateFiles(templateDir, options.name);
  files.set('package.json', packageJson(options, readManifest(root)));
  if (
    options.fastportSpec.startsWith('file:') &&
    fs.statSync(options.fastportSpec.slice(5), { throwIfNoEntry: false })?.isDirectory()
  )
    files.set(
      '.npmrc',
      '# install the local fastport folder as a packed copy (not a symlink), so packages dedupe\ninstall-links=true\n',
    );
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const generated = generate({
    protoDir: path.join(dir, 'proto'),
    outDir: path.join(dir, 'generated'),
    runtimeImport: PROJECT_RUNTIME_IMPORT,
  });
  writeFiles(path.join(dir, 'generated'), generated);
  return [...files.keys(), ...[...generated.keys()].map((rel) => path.join('generated', rel))].sort();
}
