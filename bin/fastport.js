#!/usr/bin/env node
'use strict';
// The `fastport` command: dispatches to the compiled CLI (codegen/cli, built by `npm run gen` or `npm run build`).
const path = require('node:path');

let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'codegen', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('main.js')) {
    console.error('fastport: the CLI is not compiled; run `npx tsc -p codegen` (or `npm run gen`) first');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exitCode = 1;
  },
);
