#!/usr/bin/env node
'use strict';
// fastport's npm install hooks, safe in both places the package lives:
// - a checkout (tsconfig.build.json and codegen/ present): builds the addon, generates code, compiles TS;
// - installed as a dependency (packed: dist/ and prebuilds/<platform>-<arch>/ shipped, no TS sources):
//   nothing to do where a prebuilt addon ships (unless FASTPORT_BUILD_FROM_SOURCE=1); elsewhere it tries to
//   build one (and if that fails, engine 'node' still works).
// Failures print one clear line, not a stack trace. Usage: node scripts/lifecycle.js install|postinstall
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const checkout =
  fs.existsSync(path.join(root, 'tsconfig.build.json')) &&
  fs.existsSync(path.join(root, 'codegen', 'package.json'));
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'fastport.node');
const localBuild = path.join(root, 'build', 'Release', 'fastport.node');

/** Runs an npm script with inherited output; returns its exit status. */
function npmRun(script) {
  const result = spawnSync('npm', ['run', '-s', script], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return result.status ?? 1;
}

function onPath(command) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => fs.existsSync(path.join(dir, command)));
}

/** The tools cmake-js needs that are missing from PATH (checked first, so the error says what to install). */
function missingTools() {
  const compilers = ['c++', 'g++', 'clang++'];
  return [
    ...(onPath('cmake') ? [] : ['cmake 3.15+']),
    ...(compilers.some(onPath) ? [] : ['a C++20 compiler (g++ 10+ or clang++ 12+)']),
  ];
}

function buildNative() {
  const missing = missingTools();
  if (missing.length > 0) return `cannot build the native addon: ${missing.join(' and ')} not found on PATH`;
  return npmRun('build:native') === 0 ? '' : 'the native addon build failed (its output is above)';
}

function fail(message) {
  console.error(`fastport: ${message}`);
  process.exit(1);
}

const hook = process.argv[2];
if (hook === 'install') {
  if (checkout) {
    const problem = buildNative();
    if (problem)
      fail(`${problem}. Install what is missing, then run npm install again (or npm run build:native).`);
  } else if (
    process.env.FASTPORT_BUILD_FROM_SOURCE === '1' ||
    (!fs.existsSync(prebuilt) && !fs.existsSync(localBuild))
  ) {
    const problem = buildNative();
    if (problem) console.warn(`fastport: ${problem}; servers fall back to engine 'node'`);
  }
} else if (hook === 'postinstall') {
  if (checkout && (npmRun('gen') !== 0 || npmRun('build') !== 0))
    fail('code generation or the TypeScript build failed (its output is above)');
} else {
  console.error('usage: node scripts/lifecycle.js install|postinstall');
  process.exit(2);
}
