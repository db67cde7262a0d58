#!/usr/bin/env node
// Runs the clang-format shipped in node_modules over the C/C++ sources: --check (CI) or --fix.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const dirs = ['native', 'bench'];
const exts = new Set(['.h', '.hpp', '.c', '.cc', '.cpp']);

function collect(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (exts.has(path.extname(entry.name))) out.push(full);
  }
  return out;
}

const files = dirs.flatMap((d) => collect(path.join(root, d), []));
const binary = require.resolve('clang-format/index.js');
const mode = process.argv[2] === '--fix' ? ['-i'] : ['--dry-run', '--Werror'];
if (files.length === 0) process.exit(0);
try {
  execFileSync(process.execPath, [binary, ...mode, '--style=file', ...files], {
    stdio: 'inherit',
    cwd: root,
  });
} catch {
  console.error('clang-format: some C++ files are not formatted; run `npm run format`.');
  process.exit(1);
}
