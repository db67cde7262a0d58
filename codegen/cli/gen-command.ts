import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProtoError, ProtoErrors } from '../errors';
import { generate } from '../generate';
import { FASTPORT_PROTO_DIR } from '../load/proto-loader';
import { staleFiles, writeFiles } from '../output';
import { Command } from 'commander';
import { UsageError } from './usage-error';

interface Job {
  readonly protoDir: string;
  readonly outDir: string;
}

interface GenArgs {
  readonly jobs: Job[];
  readonly check: boolean;
  readonly runtime?: string;
}

/** The FastPort repository's own proto sets: the framework's and every sample's. */
function repoJobs(): Job[] {
  const root = path.dirname(FASTPORT_PROTO_DIR);
  const jobs: Job[] = [{ protoDir: FASTPORT_PROTO_DIR, outDir: path.join(root, 'framework', 'generated') }];
  const samples = path.join(root, 'samples');
  if (fs.existsSync(samples)) {
    for (const name of fs.readdirSync(samples).sort()) {
      const protoDir = path.join(samples, name, 'proto');
      if (fs.existsSync(protoDir)) jobs.push({ protoDir, outDir: path.join(samples, name, 'generated') });
    }
  }
  return jobs;
}

interface GenOptions {
  readonly proto?: string;
  readonly out?: string;
  readonly runtime?: string;
  readonly check?: boolean;
  readonly repo?: boolean;
}

/** True when root is the FastPort checkout itself (not a game project that installed @fastport/codegen). */
function isFastportCheckout(root: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      name?: string;
    };
    return manifest.name === 'fastport' && fs.existsSync(path.join(root, 'codegen', 'package.json'));
  } catch {
    return false;
  }
}

function genArgs(options: GenOptions): GenArgs {
  const { proto, out, runtime, check = false, repo = false } = options;
  if (repo && (proto !== undefined || out !== undefined))
    throw new UsageError('--repo takes no --proto / --out');
  if (repo && !isFastportCheckout(path.dirname(FASTPORT_PROTO_DIR)))
    throw new UsageError(
      '--repo regenerates the FastPort repository itself; in a project use --proto / --out',
    );
  const jobs = repo
    ? repoJobs()
    : [{ protoDir: path.resolve(proto ?? 'proto'), outDir: path.resolve(out ?? 'generated') }];
  for (const job of jobs) {
    if (!fs.existsSync(job.protoDir)) throw new UsageError(`proto directory ${job.protoDir} does not exist`);
  }
  return { jobs, check, runtime };
}

function display(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

function runJob(job: Job, args: GenArgs): boolean {
  const files = generate({
    protoDir: job.protoDir,
    outDir: job.outDir,
    allowReservedIds: path.resolve(job.protoDir) === FASTPORT_PROTO_DIR,
    runtimeImport: args.runtime,
  });
  if (args.check) {
    const stale = staleFiles(job.outDir, files);
    for (const rel of stale) console.error(`stale: ${display(path.join(job.outDir, rel))}`);
    if (stale.length === 0) console.log(`up to date: ${display(job.outDir)} (${files.size} files)`);
    return stale.length === 0;
  }
  const { written, removed } = writeFiles(job.outDir, files);
  console.log(
    `${display(job.protoDir)} -> ${display(job.outDir)}: ${files.size} files, ${written.length} written, ${removed.length} removed`,
  );
  return true;
}

function runGen(args: GenArgs): number {
  let ok = true;
  for (const job of args.jobs) {
    try {
      ok = runJob(job, args) && ok;
    } catch (err) {
      if (!(err instanceof ProtoError || err instanceof ProtoErrors)) throw err;
      console.error(err.message);
      return 1;
    }
  }
  if (!ok) console.error('generated code is stale: run `fastport gen` (npm run gen in this repository)');
  return ok ? 0 : 1;
}

/** `fastport gen`: the command; its action reports the exit code through `done`. */
export function genCommand(done: (code: number) => void): Command {
  return new Command('gen')
    .summary('generate typed messages and dispatch tables from .proto files')
    .description(
      'Generates TypeScript messages (ts-proto) and a typed dispatch module (packets.ts) from .proto files.',
    )
    .option('--proto <dir>', '.proto files, searched recursively (default: proto)')
    .option('--out <dir>', 'output directory (default: generated)')
    .option(
      '--runtime <module>',
      "module the generated code imports FastPort's packets runtime from " +
        '(default: a relative path inside the FastPort repository, else fastport/dist/framework/packets)',
    )
    .option('--check', 'write nothing; exit 1 and list the stale files if the output is not up to date')
    .option(
      '--repo',
      'the FastPort repository itself: proto -> framework/generated, samples/*/proto -> samples/*/generated',
    )
    .helpOption('-h, --help', 'show this help')
    .action((options: GenOptions) => done(runGen(genArgs(options))));
}
