#!/usr/bin/env node
// Builds the native benchmark tools (bench/CMakeLists.txt) into build-bench/ quietly; prints cmake's
// output only when the build fails. Used by `npm run bench:native` (and bench:build, loadgen, bench).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build-bench');
const steps = [
  ['cmake', ['-S', path.join(root, 'bench'), '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release']],
  ['cmake', ['--build', buildDir, '-j2']],
];
for (const [command, args] of steps) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(`bench: '${command} ${args.join(' ')}' failed${result.error ? `: ${result.error.message}` : ''}`);
    process.exit(1);
  }
}
