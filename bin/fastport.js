#!/usr/bin/env node
'use strict';
// The `fastport` command. Its commands (gen, new) live in the @fastport/codegen package, a development
// tool: a game project takes it as a devDependency, the FastPort checkout as a workspace. Looked up from
// the current project first, then beside this fastport.
const path = require('node:path');
const { version } = require('../package.json');

function findCli() {
  for (const from of [process.cwd(), path.join(__dirname, '..')]) {
    try {
      return require(require.resolve('@fastport/codegen', { paths: [from] }));
    } catch (err) {
      if (!err || err.code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  return undefined;
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  console.log(version);
  process.exit(0);
}
/** Sets the exit code from a command's promise (an unexpected failure prints its stack, exit 1). */
function exitWith(promise) {
  promise.then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err && err.stack ? err.stack : err);
      process.exitCode = 1;
    },
  );
}

if (argv[0] === 'top') {
  // `fastport top` reads a running server's admin listener: it is in this package (framework/admin/top),
  // so it works where only the runtime is installed.
  exitWith(require('../dist/framework/admin/top/top-cli.js').topMain(argv.slice(1)));
} else {
  const cli = findCli();
  if (!cli) {
    console.error(
      'fastport: its commands (gen, new) are in the @fastport/codegen package, which is not installed here.\n' +
        'In a project: npm install --save-dev @fastport/codegen. In the FastPort checkout: npm install.',
    );
    process.exit(1);
  }
  exitWith(cli.main(argv, { version }));
}
