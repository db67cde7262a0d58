/**
 * GameServer.start makes V8's one-time Uint8Array map transition before it listens (framework/server/
 * buffer-map-warmup.ts), so a Buffer that Node creates in C++ later (a POST body, a token digest, an HTTP
 * client response) no longer deoptimizes the hot typed-array code (docs/operations.md, "Cost").
 *
 * Each case runs in a fresh node with --allow-natives-syntax: it starts the echo sample (admin on or off) or
 * no server at all,
 * optimizes a function that reads a Uint8Array from an object field (V8 then relies on the Uint8Array map
 * being stable, as protobuf's reader and writer and the transport's command log do), has Node create one
 * Buffer in C++ (a SHA-256 digest), and reports whether the function is still optimized.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SAMPLE = path.join(__dirname, '..', '..', 'dist', 'samples', 'echo', 'server.js');
const built = fs.existsSync(SAMPLE);

/** The child's script: prints "optimized before=<bool> after=<bool>" and exits. */
function probeScript(adminPort: string | undefined): string {
  const start =
    adminPort === undefined
      ? 'const server = { stop: async () => {} };'
      : `const { server } = await startEchoServer({ port: 0, engine: 'node', adminPort: ${JSON.stringify(adminPort)}, logLevel: 'warn' });`;
  return `
    const { startEchoServer } = require(${JSON.stringify(SAMPLE)});
    class Holder { constructor() { this.bytes = new Uint8Array(8); } }
    const holder = new Holder();
    function readField(h) { return h.bytes.length + h.bytes[0]; }
    const optimized = () => (%GetOptimizationStatus(readField) & 16) !== 0;
    (async () => {
      ${start}
      %PrepareFunctionForOptimization(readField);
      readField(holder);
      %OptimizeFunctionOnNextCall(readField);
      readField(holder);
      const before = optimized();
      require('node:crypto').createHash('sha256').update('a request').digest();
      console.log('optimized before=' + before + ' after=' + optimized());
      await server.stop();
    })();
  `;
}

async function probe(adminPort: string | undefined): Promise<{ before: boolean; after: boolean }> {
  const child = spawn(process.execPath, ['--allow-natives-syntax', '-e', probeScript(adminPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const match = /optimized before=(true|false) after=(true|false)/.exec(output);
  expect(match, `probe output (exit ${code}):\n${output}`).not.toBeNull();
  return { before: match?.[1] === 'true', after: match?.[2] === 'true' };
}

describe.skipIf(!built)(`native Buffer map warm-up${built ? '' : ' (skipped: run npm run build)'}`, () => {
  it('in a started server with the admin listener on, a Buffer made in C++ later deoptimizes nothing', async () => {
    expect(await probe('0')).toEqual({ before: true, after: true });
  });

  it('in a started server without the admin listener, neither', async () => {
    expect(await probe('')).toEqual({ before: true, after: true });
  });

  it('in a process with no server, the same Buffer deoptimizes the function (what the warm-up moves before traffic)', async () => {
    expect(await probe(undefined)).toEqual({ before: true, after: false });
  });
});
