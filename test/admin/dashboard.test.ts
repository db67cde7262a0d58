import { mkdtempSync, rmSync, statSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { EchoReq } from '../../samples/echo/generated/packets';
import { haveChromium, launchChromium, reportMissingChromium } from '../support/chromium';
import { type AdminFixture, json, startAdminServer } from './support/fixture';

reportMissingChromium();
/** FASTPORT_UPDATE_SCREENSHOT=1 also writes the screenshot to docs/images/dashboard.png. */
const DOCS_SCREENSHOT = join(__dirname, '..', '..', 'docs', 'images', 'dashboard.png');

/** Keeps `client` sending echo requests until `stop()`: the load the charts must show. */
function keepBusy(client: GameClient): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running && client.connected)
      await Promise.all(
        Array.from({ length: 16 }, () =>
          client.request(EchoReq, { data: Buffer.from('load') }).catch(() => undefined),
        ),
      );
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** For the docs' screenshot: a minute of load with sessions coming and going (closes chart). */
async function minuteOfHistory(f: AdminFixture): Promise<void> {
  await expect
    .poll(
      async () => {
        const passer = await f.connect();
        await passer.close();
        return (await json(f.get('/api/history', 'dashboard-test-token-0123'))).samples.length;
      },
      { timeout: 120_000, interval: 500 },
    )
    .toBeGreaterThanOrEqual(60);
}

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'fastport-dashboard-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline, charts the load every second, and kicks a session from its row', async () => {
    const token = 'dashboard-test-token-0123';
    // The load runs past the default 500 msgs/s per session: no rate limit here.
    const f = await startAdminServer('node', { admin: { port: 0, token }, limits: { rateLimit: false } });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(f.admin)) external.push(request.url());
    });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    try {
      const workers = [await f.connect(), await f.connect(), await f.connect()];
      await workers[0].request(EchoReq, { data: Buffer.from('room:lobby') });
      const victim = await f.connect();
      const loads = workers.map(keepBusy);

      await page.goto(`${f.admin}/#token=${token}`);
      await expect.poll(() => page.textContent('#engine')).toBe('engine node');
      await expect.poll(() => page.textContent('#tile-sessions')).toBe('4');
      const chart = () =>
        page.$eval('#chart-msgs', (canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL());
      const msgsIn = async () => Number((await page.textContent('#tile-msgs-in'))?.replace(/k$/, '000'));
      await expect.poll(msgsIn, { timeout: 15_000 }).toBeGreaterThan(0);
      const before = await chart();
      await expect.poll(chart, { timeout: 15_000 }).not.toBe(before); // a new second was drawn
      await expect.poll(() => page.textContent('#tile-p99'), { timeout: 15_000 }).toMatch(/ ms$/);
      expect(await page.textContent('#rooms tbody')).toContain('lobby');
      if (process.env.FASTPORT_UPDATE_SCREENSHOT === '1') await minuteOfHistory(f);
      const shot = join(dir, 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.FASTPORT_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(DOCS_SCREENSHOT, '..'), { recursive: true });
        copyFileSync(shot, DOCS_SCREENSHOT);
      }

      await page.click(`#sessions tr[data-session="${victim.sessionId}"] button.kick`);
      await expect.poll(() => victim.connected).toBe(false);
      expect(victim.kickReason).toBe('kicked from the dashboard');
      expect(workers.map((w) => w.closeReason)).toEqual([undefined, undefined, undefined]);
      await expect.poll(() => page.$(`#sessions tr[data-session="${victim.sessionId}"]`)).toBeNull();
      await expect.poll(() => page.textContent('#close-totals')).toContain('kicked');
      await Promise.all(loads.map((load) => load.stop()));
      expect(external).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await f.close();
    }
  }, 180_000);

  it('asks for the token when none is given', async () => {
    const f = await startAdminServer('node', { admin: { port: 0, token: 'dashboard-test-token-0123' } });
    const page = await browser.newPage();
    try {
      await page.goto(f.admin);
      await expect.poll(() => page.isVisible('#token-form')).toBe(true);
      await page.fill('#token', 'dashboard-test-token-0123');
      await page.click('#token-form button');
      await expect.poll(() => page.textContent('#engine')).toBe('engine node');
      await expect.poll(() => page.isVisible('#error')).toBe(false);
    } finally {
      await page.close();
      await f.close();
    }
  });
});
