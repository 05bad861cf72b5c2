/**
 * The playground's "Rank actions" tab in a real browser (Debian's Chromium through playwright-core,
 * against the real server on 127.0.0.1): the tab opens with the lemonade example on valuepilot-6, ranks
 * the actions, and shows the ranking, the explanation and the relevance table exactly as the JSON API
 * answers the same request; one action left → the API's 400 message on the page. A screenshot goes to
 * test-output/playground-decisions.png. Skipped without /usr/bin/chromium (fails in CI, like
 * playground.test.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, openChromium, requireChromium, type Browser } from './chromium.js';
import { BUNDLED_GRAPHS, ROOT, startLive, type Live } from '../http/helpers.js';

requireChromium('the Rank actions browser tests');

interface DecisionJson {
  ranking: number[];
  actions: Array<{ action: string; values: Array<{ relevance: number }> }>;
  explanation: { text: string };
}

describe.skipIf(!HAVE_CHROMIUM)('the playground’s Rank actions tab in Chromium', () => {
  let live: Live;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
    browser = await openChromium();
    ({ page, pageErrors } = browser);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('ranks the example decision as the API does, and explains it', async () => {
    await page.goto(`${live.url}/`);
    expect(await page.locator('#decide-tab').isHidden()).toBe(true);
    await page.getByRole('tab', { name: 'Rank actions' }).click();
    expect(await page.locator('#decide-tab').isVisible()).toBe(true);
    expect(await page.locator('#align-tab').isHidden()).toBe(true);
    await page.locator('#d-value-fairness').waitFor();
    expect(await page.locator('#d-graph').inputValue()).toBe('valuepilot-6');
    expect(await page.locator('#d-values select').count()).toBe(6);
    await page.locator('#d-method').selectOption('promethee');

    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/v1/decisions') && r.request().method() === 'POST',
    );
    await page.locator('#d-submit').click();
    const sent = (await answered).request().postDataJSON() as Record<string, unknown>;
    await page.locator('#d-status', { hasText: 'Ranked' }).waitFor({ timeout: 30_000 });

    expect(sent).toMatchObject({
      graph: 'valuepilot-6',
      method: 'promethee',
      target: { format: 'likert5', values: { fairness: 5, intimacy: 4 } },
    });
    const res = await fetch(`${live.url}/v1/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    const json = (await res.json()) as DecisionJson;
    const shown = await page.locator('#d-ranking li .action').allTextContents();
    expect(shown).toEqual(json.ranking.map((i) => json.actions[i]!.action));
    expect(shown[shown.length - 1]).toBe('Drink it all without asking');
    expect(await page.locator('#d-explanation').textContent()).toBe(json.explanation.text);
    expect(await page.locator('#d-relevance tbody tr').count()).toBe(4);
    expect(await page.locator('#d-curl').textContent()).toContain('/v1/decisions');
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-output', 'playground-decisions.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('shows the API’s message for a decision with one action', async () => {
    await page.locator('#d-actions').fill('Drink it all without asking');
    await page.locator('#d-submit').click();
    await page.locator('#d-error').waitFor({ state: 'visible' });
    expect(await page.locator('#d-error').textContent()).toMatch(/VALIDATION_FAILED.*at least 2 actions/s);
    expect(await page.locator('#d-ranking li').count()).toBe(0);
  }, 30_000);
});
