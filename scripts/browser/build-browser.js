#!/usr/bin/env node
'use strict';
// The browser builds, from the same TypeScript as the Node client (esbuild, platform 'browser', ESM):
// - dist/browser/fastport-client.mjs (+ .d.mts): the GameClient over the browser's WebSocket
//   (framework/client/browser.ts);
// - dist/samples/chat/web/: the chat sample's page (index.html, style.css, app.js with the client and the
//   chat messages bundled in).
// Nothing is external: a Node built-in anywhere in the import graph fails the build. `Buffer` (the generated
// messages' bytes fields) comes from the `buffer` package, injected where the code names the global.
// Usage: node scripts/browser/build-browser.js [--out DIR]   (default: the repository's dist/)
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const CHAT_WEB = path.join(root, 'samples', 'chat', 'web');
/** The page's files copied as they are (app.ts is bundled to app.js). */
const CHAT_STATIC = ['index.html', 'style.css'];

const TYPES = "// The browser client's types: tsc's declarations of its entry.\nexport * from '../framework/client/browser.js';\n";

/** One ESM bundle for browsers; returns esbuild's metafile (every input and output). */
async function bundle(entry, outfile) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    inject: [path.join(__dirname, 'buffer-global.mjs')],
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    tsconfig: path.join(root, 'tsconfig.json'),
  });
  return result.metafile;
}

/** Builds both bundles under outDir; returns { client, chat } metafiles and the folders written. */
async function buildBrowser(outDir = path.join(root, 'dist')) {
  const clientFile = path.join(outDir, 'browser', 'fastport-client.mjs');
  const chatDir = path.join(outDir, 'samples', 'chat', 'web');
  const client = await bundle(path.join(root, 'framework', 'client', 'browser.ts'), clientFile);
  // Its types are tsc's declarations of the same entry (dist/framework/client/browser.d.ts).
  fs.writeFileSync(clientFile.replace(/\.mjs$/, '.d.mts'), TYPES);
  const chat = await bundle(path.join(CHAT_WEB, 'app.ts'), path.join(chatDir, 'app.js'));
  for (const file of CHAT_STATIC) fs.copyFileSync(path.join(CHAT_WEB, file), path.join(chatDir, file));
  return { client, chat, clientFile, chatDir };
}

module.exports = { buildBrowser };

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 ? path.resolve(process.argv[at + 1]) : undefined;
  buildBrowser(outDir).catch((error) => {
    console.error(`build-browser: ${error.message}`);
    process.exit(1);
  });
}
