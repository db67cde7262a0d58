import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { ProtoError } from '../errors';
import { locateMessages, type MessageLines } from './source-locator';

/** One .proto file of a loaded set. */
export interface ProtoFile {
  /** Import name, relative to its include directory (e.g. `game/login.proto`). */
  readonly name: string;
  /** Path shown in error messages (relative to the working directory), or the bundled name. */
  readonly displayPath: string;
  readonly syntax: 'proto2' | 'proto3';
  readonly packageName: string;
  readonly imports: readonly string[];
  /** The `//` comment right above `syntax = ...` (protoc's file comment), without the slashes. */
  readonly headerComment?: string;
  /** Messages' source lines by full name (no leading dot); empty for bundled well-known types. */
  readonly lines: ReadonlyMap<string, MessageLines>;
}

export interface ProtoSet {
  readonly root: protobuf.Root;
  /** Every file, dependencies before dependents (protoc's order for CodeGeneratorRequest.proto_file). */
  readonly files: readonly ProtoFile[];
  /** Names of the files to generate code for. */
  readonly entries: readonly string[];
  /** The file that declared each message, enum and extension field. */
  readonly fileOf: ReadonlyMap<protobuf.ReflectionObject, ProtoFile>;
}

// alternateCommentMode: `//` comments are kept too (they become JSDoc in the generated code).
const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: true, alternateCommentMode: true };

/** The directory holding `fastport/options.proto` and `fastport/framework.proto`. */
export const FASTPORT_PROTO_DIR = findFastportProtoDir(__dirname);

/**
 * The installed fastport package's proto/ (a game project: fastport beside @fastport/codegen in
 * node_modules), else the first proto/ above this module (the FastPort checkout, codegen/ a workspace in it).
 */
function findFastportProtoDir(start: string): string {
  try {
    const installed = path.join(
      path.dirname(require.resolve('fastport/package.json', { paths: [start] })),
      'proto',
    );
    if (fs.existsSync(path.join(installed, 'fastport', 'options.proto'))) return installed;
  } catch {
    // not installed beside this package: look in the checkout
  }
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto');
    if (fs.existsSync(path.join(candidate, 'fastport', 'options.proto'))) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(`proto/fastport/options.proto not found: install fastport beside @fastport/codegen`);
  }
}

function protobufjsDir(): string {
  return path.dirname(require.resolve('protobufjs/package.json'));
}

/** Well-known types bundled by protobufjs as JSON (any, timestamp, duration, struct, wrappers, ...). */
function bundledJson(name: string): protobuf.INamespace | undefined {
  const common = (protobuf as unknown as { common: { get(file: string): protobuf.INamespace | null } })
    .common;
  return common.get(name) ?? undefined;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

function detectSyntax(source: string, displayPath: string): 'proto2' | 'proto3' {
  const code = stripComments(source);
  if (/^\s*edition\s*=/m.test(code)) {
    const line = source.slice(0, source.search(/^\s*edition\s*=/m)).split('\n').length;
    throw new ProtoError(
      displayPath,
      line,
      'editions are not supported; use syntax = "proto3" (or "proto2")',
    );
  }
  const m = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(code);
  return m ? (m[1] as 'proto2' | 'proto3') : 'proto2';
}

function parseError(err: unknown, displayPath: string): ProtoError {
  const text = err instanceof Error ? err.message : String(err);
  const m = /^(.*?)\s*\((?:.*?,\s*)?line (\d+)\)$/.exec(text);
  if (m) return new ProtoError(displayPath, Number(m[2]), `syntax error: ${m[1]}`);
  return new ProtoError(displayPath, 0, `syntax error: ${text}`);
}

function* walk(ns: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const obj of ns.nestedArray) {
    yield obj;
    if (obj instanceof protobuf.Type) for (const f of obj.fieldsArray) yield f;
    if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) yield* walk(obj);
  }
}

/** Recursively lists the .proto files under `dir`, as import names, sorted. */
export function listProtoFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relName = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(relName);
      else if (entry.isFile() && entry.name.endsWith('.proto')) out.push(relName);
    }
  };
  visit('');
  return out.sort();
}

/**
 * Loads `entries` (import names under `protoDir`) and everything they import. Imports resolve against
 * `protoDir`, then FastPort's own proto directory, then the well-known types bundled with protobufjs.
 * Throws ProtoError (file:line) on syntax errors and missing imports.
 */
export function loadProtoSet(protoDir: string, entries: readonly string[]): ProtoSet {
  const root = new protobuf.Root();
  const includeDirs = [path.resolve(protoDir), FASTPORT_PROTO_DIR];
  const files: ProtoFile[] = [];
  const fileOf = new Map<protobuf.ReflectionObject, ProtoFile>();
  const visiting = new Set<string>();
  const done = new Set<string>();

  const tagNewObjects = (file: ProtoFile) => {
    for (const obj of walk(root)) {
      const isDeclaration = obj instanceof protobuf.Type || obj instanceof protobuf.Enum;
      const isExtension = obj instanceof protobuf.Field && obj.extend !== undefined;
      if ((isDeclaration || isExtension) && !fileOf.has(obj)) fileOf.set(obj, file);
    }
  };

  const load = (name: string, importer: ProtoFile | null, importLine: number) => {
    if (done.has(name)) return;
    if (visiting.has(name)) {
      throw new ProtoError(importer?.displayPath ?? name, importLine, `import cycle through "${name}"`);
    }
    visiting.add(name);
    const diskPath = includeDirs.map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
    const json = diskPath ? undefined : bundledJson(name);
    const bundledProto = path.join(protobufjsDir(), name);
    if (!diskPath && !json && !(name.startsWith('google/protobuf/') && fs.existsSync(bundledProto))) {
      throw new ProtoError(importer?.displayPath ?? name, importLine, `import "${name}" not found`);
    }
    let file: ProtoFile;
    if (json) {
      file = {
        name,
        displayPath: name,
        syntax: 'proto3',
        packageName: 'google.protobuf',
        imports: [],
        lines: new Map(),
      };
      root.addJSON(json.nested ?? {});
    } else {
      const sourcePath = diskPath ?? bundledProto;
      const displayPath = diskPath ? path.relative(process.cwd(), sourcePath) || sourcePath : name;
      const source = fs.readFileSync(sourcePath, 'utf8');
      const syntax = detectSyntax(source, displayPath);
      let parsed: protobuf.IParserResult;
      try {
        (protobuf.parse as unknown as { filename: string | null }).filename = displayPath;
        parsed = protobuf.parse(source, root, PARSE_OPTIONS);
      } catch (err) {
        throw parseError(err, displayPath);
      }
      const packageName = parsed.package ?? '';
      const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
      const lines = locateMessages(source, packageName);
      file = {
        name,
        displayPath,
        syntax,
        packageName,
        imports,
        lines,
        headerComment: headerCommentOf(source),
      };
      tagNewObjects(file);
      for (const dep of imports) load(dep, file, importLineOf(source, dep));
    }
    tagNewObjects(file);
    visiting.delete(name);
    done.add(name);
    files.push(file);
  };

  for (const entry of entries) load(entry, null, 0);
  return { root, files, entries: [...entries], fileOf };
}

/** The contiguous `//` lines directly above the `syntax` statement, as protoc attaches them. */
function headerCommentOf(source: string): string | undefined {
  const lines = source.split('\n');
  const syntaxLine = lines.findIndex((l) => /^\s*syntax\s*=/.test(l));
  const comment: string[] = [];
  for (let i = syntaxLine - 1; i >= 0 && /^\s*\/\//.test(lines[i]); i--)
    comment.unshift(lines[i].replace(/^\s*\/\//, ''));
  return comment.length > 0 ? comment.join('\n') : undefined;
}

function importLineOf(source: string, dep: string): number {
  const index = source.indexOf(`"${dep}"`);
  return index < 0 ? 0 : source.slice(0, index).split('\n').length;
}
