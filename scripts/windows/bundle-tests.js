#!/usr/bin/env node
'use strict';
// Bundles the TypeScript test cases that the Windows runner shares with the vitest suites into plain
// CommonJS for node.exe under Wine (no TypeScript loader there): the WebSocket conformance cases
// (test/websocket/helpers/conformance-cases.ts) -> <out>/ws-conformance.js. `ws` stays external (resolved
// from node_modules at run time); the transport under test is passed in by test/windows/run.js.
// Usage: node scripts/windows/bundle-tests.js [--out DIR]   (default: build-win/)
const esbuild = require('esbuild');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'build-win');

esbuild
  .build({
    entryPoints: [path.join(root, 'test', 'websocket', 'helpers', 'conformance-cases.ts')],
    outfile: path.join(out, 'ws-conformance.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['ws'],
    logLevel: 'warning',
    tsconfig: path.join(root, 'tsconfig.json'),
  })
  .then(() => console.log(`bundle-tests: ${path.join(out, 'ws-conformance.js')}`))
  .catch(() => process.exit(1));
