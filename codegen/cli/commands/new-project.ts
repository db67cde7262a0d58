import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate, PROJECT_RUNTIME_IMPORT } from '../../generate';
import { writeFiles } from '../../output';
import { codegenRoot, NewProjectError } from './package-roots';

export { NewProjectError } from './package-roots';

export interface NewProjectOptions {
  /** The directory to create (must not exist, or be empty). */
  readonly dir: string;
  /** npm package name of the project. */
  readonly name: string;
  /** The fastport dependency spec written into package.json, e.g. "^0.1.0" or "file:/abs/fastport-0.1.0.tgz". */
  readonly fastportSpec: string;
  /** The @fastport/codegen devDependency spec, in the same forms. */
  readonly codegenSpec: string;
}

interface ProjectManifest {
  allowScripts?: Record<string, boolean>;
  [key: string]: unknown;
}

/**
 * The project's package.json from the template, with npm 11's allowScripts: fastport's install script
 * builds the addon only where no prebuilt one ships (scripts/lifecycle.js); @swc/core works without its
 * postinstall (a platform check), so it is recorded as denied rather than warned about on every install.
 */
function packageJson(template: string, options: NewProjectOptions): string {
  const manifest = JSON.parse(
    template
      .replaceAll('{{name}}', options.name)
      .replaceAll('{{fastport}}', options.fastportSpec)
      .replaceAll('{{codegen}}', options.codegenSpec),
  ) as ProjectManifest;
  manifest.allowScripts = {
    fastport: true,
    ...(options.fastportSpec.startsWith('file:') ? { [options.fastportSpec]: true } : {}),
    '@swc/core': false,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Template files: `x.tmpl` -> `x` with {{name}} filled in; `gitignore.tmpl` -> `.gitignore` (npm drops dotfiles). */
function templateFiles(templateDir: string, options: NewProjectOptions): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.tmpl')) {
        let rel = path.relative(templateDir, full).slice(0, -'.tmpl'.length);
        if (rel === 'gitignore') rel = '.gitignore';
        const text = fs.readFileSync(full, 'utf8');
        files.set(
          rel,
          rel === 'package.json' ? packageJson(text, options) : text.replaceAll('{{name}}', options.name),
        );
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

/**
 * Creates dir and its missing parents one level at a time: Node's recursive mkdir never returns on some
 * file systems that refuse new entries (e.g. /proc), so each level's error is reported instead.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) missing.unshift(at);
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new NewProjectError(`cannot create ${level} (${code}); pick a directory you can write to`);
    }
  }
}

/** Writes the project (templates, package.json, generated code); returns the files written, relative to dir. */
export function createProject(options: NewProjectOptions): string[] {
  const dir = path.resolve(options.dir);
  checkTarget(dir);
  const templateDir = path.join(codegenRoot(), 'templates', 'game-server');
  if (!fs.existsSync(templateDir))
    throw new NewProjectError(`the project templates are missing: ${templateDir}`);
  const files = templateFiles(templateDir, options);
  const isFolder = (spec: string): boolean =>
    spec.startsWith('file:') && fs.statSync(spec.slice(5), { throwIfNoEntry: false })?.isDirectory() === true;
  if (isFolder(options.fastportSpec) || isFolder(options.codegenSpec))
    files.set(
      '.npmrc',
      '# install the local fastport folders as packed copies (not symlinks), so packages dedupe\ninstall-links=true\n',
    );
  makeDirectories(dir);
  for (const [rel, text] of files) {
    makeDirectories(path.dirname(path.join(dir, rel)));
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
