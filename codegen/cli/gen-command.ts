import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProtoError, ProtoErrors } from '../errors';
import { generate } from '../generate';
import { FASTPORT_PROTO_DIR } from '../load/proto-loader';
import { staleFiles, writeFiles } from '../output';
import { UsageError, type Command } from './command';

const USAGE = `usage: fastport gen [--proto DIR] [--out DIR] [--runtime MODULE] [--check]
       fastport gen --repo [--check]

Generates TypeScript messages (ts-proto) and a typed dispatch module (packets.ts) from .proto files.
  --proto DIR       .proto files, searched recursively (default: proto)
  --out DIR         output directory (default: generated)
  --runtime MODULE  module the generated code imports FastPort's runtime from
                    (default: a relative path inside this package, else fastport/dist/codegen/runtime)
  --check           write nothing; exit 1 and list the stale files if the output is not up to date
  --repo            this repository: proto -> framework/generated, samples/*/proto -> samples/*/generated`;

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

function parseArgs(args: readonly string[]): GenArgs {
  let proto: string | undefined;
  let out: string | undefined;
  let runtime: string | undefined;
  let check = false;
  let repo = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--proto') proto = value();
    else if (arg === '--out') out = value();
    else if (arg === '--runtime') runtime = value();
    else if (arg === '--check') check = true;
    else if (arg === '--repo') repo = true;
    else throw new UsageError(`unknown option ${arg}`);
  }
  if (repo && (proto !== undefined || out !== undefined))
    throw new UsageError('--repo takes no --proto / --out');
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

export const genCommand: Command = {
  summary: 'generate typed messages and dispatch tables from .proto files',
  usage: USAGE,
  run(argv) {
    const args = parseArgs(argv);
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
  },
};
