/**
 * Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by playwright-core (as root it
 * needs --no-sandbox). Missing Chromium skips the suite with the reason shown; under CI=true (.ci/run
 * installs it) it fails instead.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Call at the top of a test file: throws under CI without Chromium, else registers a visible skip. */
export function reportMissingChromium(): void {
  if (haveChromium) return;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing under CI=true`);
  describe('headless Chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is missing (apt-get install chromium)`, () => undefined);
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}
