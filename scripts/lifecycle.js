#!/usr/bin/env node
'use strict';
// fastport's npm install hooks, safe in both places the package lives:
// - a checkout (tsconfig.build.json and codegen/ present): the developer build, as before;
// - installed as a dependency (packed: dist/ and the prebuilt addon are shipped, no TS sources): nothing to
//   compile, except the native addon when no prebuilt one is there (and if that fails, engine 'node' still works).
// Usage: node scripts/lifecycle.js install|postinstall
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const checkout =
  fs.existsSync(path.join(root, 'tsconfig.build.json')) && fs.existsSync(path.join(root, 'codegen'));
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const addonShipped = () =>
  [
    path.join(root, 'build', 'Release', 'fastport.node'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'fastport.node'),
  ].some((file) => fs.existsSync(file));

const hook = process.argv[2];
if (hook === 'install') {
  if (checkout) run('npm run build:native');
  else if (!addonShipped()) {
    try {
      run('npm run build:native');
    } catch {
      console.warn("fastport: the native addon could not be built; servers fall back to engine 'node'");
    }
  }
} else if (hook === 'postinstall') {
  if (checkout) run('npm run gen && npm run build');
} else {
  console.error('usage: node scripts/lifecycle.js install|postinstall');
  process.exit(2);
}
