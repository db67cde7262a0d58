/**
 * Lets a child `node -r ./ts-register.cjs file.ts` run the repo's TypeScript: compiles each required .ts
 * file with SWC (legacy decorators + metadata, like vitest.config.ts) to CommonJS. Test support only.
 */
'use strict';
const fs = require('node:fs');
const swc = require('@swc/core');

require('reflect-metadata');
require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  });
  module._compile(code, filename);
};
