/**
 * Debian's Chromium for the browser tests: playwright-core drives /usr/bin/chromium (headless, fresh
 * profile, no network beyond 127.0.0.1). Without it the suites are skipped with a loud message locally,
 * and fail in CI (`.ci/run` installs the `chromium` package and sets PLURALIGN_REQUIRE_BROWSER=1; so
 * does `CI`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { BUNDLED_GRAPHS, startLive, type Live } from '../http/helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Throw in CI, warn loudly elsewhere, when Chromium is missing. */
export function requireChromium(suite: string): void {
  if (HAVE_CHROMIUM) return;
  const message = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (never \`npx playwright install\`)`;
  if (process.env.PLURALIGN_REQUIRE_BROWSER === '1' || process.env.CI) {
    throw new Error(`the browser tests must run in CI, but ${message}`);
  }
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING ${suite}: ${message}\n${'!'.repeat(100)}\n`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors seen so far. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile and one page. */
export async function openChromium(): Promise<Browser> {
  const profileDir = mkdtempSync(join(tmpdir(), 'pluralign-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    context,
    page,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

export interface Playground {
  live: Live;
  page: Page;
  pageErrors: string[];
}

/**
 * Register hooks that start the real server on the bundled graphs and a Chromium page before the
 * suite and close both after it; the returned object is filled in by then.
 */
export function usePlayground(): Playground {
  const pg = {} as Playground;
  let browser: Browser | undefined;
  beforeAll(async () => {
    pg.live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
    browser = await openChromium();
    pg.page = browser.page;
    pg.pageErrors = browser.pageErrors;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pg.live?.close();
  });
  return pg;
}
