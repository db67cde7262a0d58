#!/usr/bin/env node
'use strict';
// `npm pack` / `npm publish` (prepack): copies the local addon build into prebuilds/<platform>-<arch>/, the
// place the loader looks after build/Release/, so a project installs the packed fastport with no compiler.
// Node-API keeps the binary valid across Node versions. Fails when there is no build to ship.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'build', 'Release', 'fastport.node');
const target = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'fastport.node');

if (!fs.existsSync(built)) {
  console.error(
    `fastport prepack: ${path.relative(root, built)} is missing; build it first: npm run build:native`,
  );
  process.exit(1);
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(built, target);
console.error(`fastport prepack: ${path.relative(root, built)} -> ${path.relative(root, target)}`);
