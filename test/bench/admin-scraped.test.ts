/**
 * The bench row fastport-epoll-admin's server (bench/servers/fastport-admin-scraped.ts): it scrapes its own
 * admin listener, and its scraper leaves V8's ArrayBufferDetaching protector intact (fetch() would not; an
 * invalidated protector slows every typed-array access of the echo path, docs/operations.md "Cost"); with
 * `--scrape-ms 0` its listener is on and never scraped.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(__dirname, '..', '..', 'dist', 'bench', 'servers', 'fastport-admin-scraped.js');
const built = fs.existsSync(SCRIPT);

describe.skipIf(!built)(
  `bench server fastport-admin-scraped${built ? '' : ' (skipped: run npm run build)'}`,
  () => {
    it('scrapes /metrics and /api/status without invalidating the ArrayBufferDetaching protector', async () => {
      const child = spawn(
        process.execPath,
        ['--trace-protector-invalidation', SCRIPT, '--port', '0', '--engine', 'node', '--scrape-ms', '50'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        await expect.poll(() => output, { timeout: 20_000 }).toMatch(/first scrape: \/metrics \d+ B/);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(output).toMatch(/scrapes: [1-9]/);
      expect(output).not.toContain('scrape failed');
      expect(output).not.toContain('Invalidating protector cell ArrayBufferDetaching');
    });

    it('leaves its listener unscraped with --scrape-ms 0 (the row fastport-epoll-admin-idle)', async () => {
      const child = spawn(process.execPath, [SCRIPT, '--port', '0', '--engine', 'node', '--scrape-ms', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      let admin = '';
      try {
        await expect.poll(() => output, { timeout: 20_000 }).toMatch(/READY .*admin=(\S+) \(not scraped\)/);
        admin = /admin=(\S+)/.exec(output)![1];
        // The listener is on and answers a request from outside; its own scraper never runs.
        const metrics = await fetch(`${admin}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toMatch(/^fastport_frames_received_total /m);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(output).toMatch(/scrapes: 0/);
    });
  },
);
