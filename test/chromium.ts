/**
 * Debian's headless Chromium for the browser tests, driven by playwright-core. Without it a test
 * skips, saying why, unless CI is set: there its absence is a failure (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const MISSING = `Chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium' (required when CI is set)`;

/** A running headless Chromium, or null when it is not installed. */
export async function launchChromium(): Promise<Browser | null> {
  return existsSync(CHROMIUM) ? chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }) : null;
}

/** For a test that starts its own browser: Chromium, or null after skipping the test (failing it under CI). */
export async function chromiumFor(t: TestContext): Promise<Browser | null> {
  const browser = await launchChromium();
  if (!browser) {
    if (process.env.CI) assert.fail(MISSING);
    t.skip(MISSING);
  }
  return browser;
}
