#!/usr/bin/env node
// Builds the libFuzzer harnesses (clang++ -fsanitize=fuzzer,address,undefined) into build-fuzz/ and runs
// each for --seconds N (default 30) from its seed corpus in native/fuzz/corpus/<harness>/. New inputs go to
// build-fuzz/corpus-<harness>/ (the seeds stay untouched); a crash is saved under native/fuzz/crashes/ and
// fails the run. Usage: npm run fuzz -- --seconds 30 [--only frame_parser|send_queue|websocket|http_head]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const root = join(__dirname, '..', '..');
const harnesses = {
  frame_parser: ['native/fuzz/fuzz_frame_parser.cc'],
  send_queue: ['native/fuzz/fuzz_send_queue.cc', 'native/src/core/send_queue.cc'],
  websocket: ['native/fuzz/fuzz_websocket.cc', ...wsSources()],
  http_head: ['native/fuzz/fuzz_http_head.cc', ...wsSources()],
};

/** The WebSocket step's sources (framing and the native upgrade): both WebSocket harnesses link them all. */
function wsSources() {
  return [
    'native/src/ws/ws_codec.cc',
    'native/src/ws/ws_frame_parser.cc',
    'native/src/ws/http_request_head.cc',
    'native/src/ws/upgrade_answer.cc',
    'native/src/ws/sha1.cc',
  ];
}

const USAGE = `usage: npm run fuzz -- [--seconds N] [--only ${Object.keys(harnesses).join('|')}]
  --seconds N  seconds per harness (default 30)
  --only NAME  run one harness (default: all)
  -h, --help   show this help
`;

/** node:util parseArgs: --seconds 30 or --seconds=30; help on stdout (exit 0), bad input exit 2. */
function parseFuzzArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seconds: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError(error.message.split('\n')[0]);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const seconds = values.seconds ?? '30';
  if (!/^[1-9][0-9]*$/.test(seconds))
    usageError(`--seconds needs a whole number >= 1, got ${JSON.stringify(seconds)}`);
  if (values.only !== undefined && !(values.only in harnesses))
    usageError(`--only: unknown harness ${values.only}`);
  return {
    seconds: Number(seconds),
    only: values.only === undefined ? Object.keys(harnesses) : [values.only],
  };
}

function usageError(message) {
  process.stderr.write(`fuzz: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function findClang() {
  for (const name of ['clang++', 'clang++-14', 'clang++-15', 'clang++-16']) {
    if (spawnSync(name, ['--version']).status === 0) return name;
  }
  console.error(
    'fuzz: clang++ not found; install it: apt-get install -y --no-install-recommends clang libclang-rt-14-dev',
  );
  process.exit(2);
}

const args = parseFuzzArgs(process.argv.slice(2));
const clang = findClang();
const out = join(root, 'build-fuzz');
mkdirSync(out, { recursive: true });
let failed = false;
for (const name of args.only) {
  const binary = join(out, `fuzz_${name}`);
  const flags = [
    '-std=c++20',
    '-O1',
    '-g',
    '-fsanitize=fuzzer,address,undefined',
    '-fno-sanitize-recover=all',
  ];
  execFileSync(
    clang,
    [...flags, `-I${join(root, 'native/src')}`, ...harnesses[name].map((f) => join(root, f)), '-o', binary],
    {
      stdio: 'inherit',
    },
  );
  const work = join(out, `corpus-${name}`);
  const crashes = join(root, 'native/fuzz/crashes');
  mkdirSync(work, { recursive: true });
  mkdirSync(crashes, { recursive: true });
  console.log(`fuzz: ${name} for ${args.seconds} s`);
  const run = spawnSync(
    binary,
    [
      `-max_total_time=${args.seconds}`,
      '-rss_limit_mb=1024',
      '-print_final_stats=1',
      `-artifact_prefix=${crashes}/${name}-`,
      work,
      join(root, 'native/fuzz/corpus', name),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (run.status !== 0) {
    console.error(`fuzz: ${name} failed (exit ${run.status}); the input is in native/fuzz/crashes/`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
