/** The browser builds: nothing from Node in them, and the client bundle exports the GameClient API. */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIntoTemp } from './support/built-page';

const NODE_BUILTINS = new Set(builtinModules);

/**
 * Every import in the bundle's graph that names a Node built-in, or that esbuild left outside it. (esbuild
 * marks the injected Buffer module "external" in each importer, though it is an input bundled in.)
 */
function nodeImports(metafile: Metafile): string[] {
  const found: string[] = [];
  const bundled = (path: string): boolean => relative(process.cwd(), path) in metafile.inputs;
  for (const [file, input] of Object.entries(metafile.inputs))
    for (const imported of input.imports)
      if (
        (imported.external && !bundled(imported.path)) ||
        imported.path.startsWith('node:') ||
        NODE_BUILTINS.has(imported.path)
      )
        found.push(`${file} -> ${imported.path}`);
  for (const [file, output] of Object.entries(metafile.outputs))
    for (const imported of output.imports) found.push(`${file} imports ${imported.path}`);
  return found;
}

describe('browser bundles (scripts/browser/build-browser.js)', () => {
  let built: Awaited<ReturnType<typeof buildIntoTemp>>;
  beforeAll(async () => {
    built = await buildIntoTemp();
  });
  afterAll(() => built?.remove());

  it('the client bundle imports no Node built-in and nothing outside itself', () => {
    const inputs = Object.keys(built.client.inputs);
    expect(inputs).toContain('framework/client/client-core.ts');
    expect(inputs).toContain('framework/client/websocket-client-transport.ts');
    expect(inputs.filter((file) => file.includes('game-client') || file.includes('/transport/node'))).toEqual(
      [],
    );
    expect(nodeImports(built.client)).toEqual([]);
  });

  it("the chat page's bundle has the client and the chat messages, and nothing from Node", () => {
    const inputs = Object.keys(built.chat.inputs);
    expect(inputs).toContain('samples/chat/generated/packets.ts');
    expect(inputs).toContain('framework/client/browser.ts');
    expect(inputs).toContain('samples/chat/commands.ts');
    expect(nodeImports(built.chat)).toEqual([]);
    expect(readFileSync(`${built.chatDir}/index.html`, 'utf8')).toContain('src="app.js"');
  });

  it('exports GameClient, RequestError and GameError as an ES module', async () => {
    const text = readFileSync(built.clientFile, 'utf8');
    expect(text).not.toMatch(/\brequire\(/);
    const module = (await import(pathToFileURL(built.clientFile).href)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual(['GameClient', 'GameError', 'RequestError']);
    expect(typeof module.GameClient).toBe('function');
    expect(readFileSync(built.clientFile.replace(/\.mjs$/, '.d.mts'), 'utf8')).toContain(
      '../framework/client/browser.js',
    );
  });
});
