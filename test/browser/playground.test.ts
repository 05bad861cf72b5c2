/**
 * The playground page in a real browser: playwright-core drives Debian's Chromium (/usr/bin/chromium,
 * headless, fresh profile, no network beyond 127.0.0.1) against the real server (buildApp on a free
 * port). It sets two sliders, types a question, submits, and checks that the answer streams in, the
 * chart and the explanation appear, and that what the page shows agrees with the API's JSON for the
 * same request. A screenshot goes to test-output/playground.png.
 *
 * Without /usr/bin/chromium the suite is skipped with a loud message locally, and fails in CI
 * (`.ci/run` installs the `chromium` package first and sets PLURALIGN_REQUIRE_BROWSER=1; so does `CI`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { twoValueGraph } from '../fixtures/toy-graphs.js';
import { ROOT } from '../http/helpers.js';
import { HAVE_CHROMIUM, requireChromium, usePlayground } from './chromium.js';

const OUTPUT = join(ROOT, 'test-output');
requireChromium('the playground browser tests');

const QUESTION = 'Should I take a well-paid job abroad, far from my family?';

interface Explanation {
  summary: string;
  values: Array<{
    value: string;
    label: string;
    rank: number;
    status: 'set' | 'inferred';
    factual: number;
    target: number | null;
    counterfactual: number;
  }>;
}
interface AlignJson {
  answer: string;
  explanation: Explanation;
  verification: { mae: number; dimensions: Array<{ value: string; attributed: number }> } | null;
}

describe.skipIf(!HAVE_CHROMIUM)('the playground page in Chromium', () => {
  const pg = usePlayground();

  const cell = (value: string, cls: string) =>
    pg.page.locator(`#values-table tbody tr[data-value="${value}"] .${cls}`).textContent();

  it('streams the answer, draws the chart and explains it, in agreement with the JSON API', async () => {
    const { page, live, pageErrors } = pg;
    await page.goto(`${live.url}/`);
    await expect(page.title()).resolves.toBe('pluralign playground');
    // The graphs come from GET /v1/graphs; schwartz-10 is chosen, with a slider per value.
    await page.locator('#slider-benevolence').waitFor();
    expect(await page.locator('#graph').inputValue()).toBe('schwartz-10');
    expect(await page.locator('#sliders .slider-row').count()).toBe(10);

    // Two sliders; the others stay "not set".
    // Found by their labels (the ranking's checkboxes carry the same names, so look in the sliders).
    const sliders = page.locator('#sliders-box');
    await sliders.getByLabel('Benevolence', { exact: true }).fill('5');
    await sliders.getByLabel('Security', { exact: true }).fill('4');
    expect(await page.locator('#out-benevolence').textContent()).toBe('5 · most important');
    expect(await page.locator('#out-power').textContent()).toBe('not set');
    await page.locator('#question').fill(QUESTION);
    await page.locator('#verify').check();

    // Count the updates of the answer while it streams.
    await page.evaluate(
      `(() => { window.__updates = 0; new MutationObserver(() => { window.__updates++; }).observe(document.getElementById('answer'), { childList: true, characterData: true, subtree: true }); })()`,
    );
    // The page's own request: an SSE stream of several `delta` events.
    const streamed = page.waitForResponse(
      (r) => r.url().endsWith('/v1/align') && r.request().method() === 'POST',
    );
    await page.locator('#submit').click();
    const sse = await (await streamed).text();
    await page.locator('#status', { hasText: 'Done' }).waitFor({ timeout: 30_000 });
    await page.locator('#chart svg').waitFor();

    const request = {
      question: QUESTION,
      graph: 'schwartz-10',
      target: { format: 'likert5', values: { security: 4, benevolence: 5 } },
      action: 'structured',
      verify: true,
    };
    const res = await fetch(`${live.url}/v1/align`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, stream: false }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as AlignJson;

    // The answer came as a stream of several deltas, was shown while it arrived (at least one update of
    // the answer before the end; how many depends on how the network coalesces the chunks), and ends as
    // the API's answer.
    expect(sse.match(/^event: delta$/gm)?.length ?? 0).toBeGreaterThan(2);
    expect(sse.trimEnd().split('\n\n').at(-1)).toMatch(/^event: done/);
    const updates = Number(await page.evaluate('window.__updates'));
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#answer').textContent()).toBe(json.answer);
    await expect(page.locator('#error').isHidden()).resolves.toBe(true);

    // The explanation: the same summary, and every value with the API's numbers.
    expect(await page.locator('#summary').textContent()).toBe(json.explanation.summary);
    const rows = page.locator('#values-table tbody tr');
    expect(await rows.count()).toBe(json.explanation.values.length);
    const byRank = [...json.explanation.values].sort((a, b) => a.rank - b.rank);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-value')))).toEqual(
      byRank.map((v) => v.value),
    );
    for (const v of json.explanation.values) {
      expect(await cell(v.value, 'label')).toBe(v.label);
      expect(await cell(v.value, 'status')).toBe(v.status);
      expect(await cell(v.value, 'factual')).toBe(v.factual.toFixed(2));
      expect(await cell(v.value, 'target')).toBe(v.target === null ? '—' : v.target.toFixed(2));
      expect(await cell(v.value, 'counterfactual')).toBe(v.counterfactual.toFixed(2));
    }
    const set = json.explanation.values.filter((v) => v.status === 'set').map((v) => v.value);
    expect(set.sort()).toEqual(['benevolence', 'security']);

    // The chart: the server's radar SVG of these numbers, inlined and accessible.
    const chart = page.locator('#chart svg');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.locator('title').first().textContent()).toBe('Value profile on schwartz-10');
    expect(await chart.locator('polygon.series-factual').count()).toBe(1);
    expect(await chart.locator('polygon.series-counterfactual').count()).toBe(1);
    expect(await chart.locator('.series-target .markers > *').count()).toBe(2);
    const desc = (await chart.locator('desc').textContent()) ?? '';
    for (const v of json.explanation.values) {
      expect(desc).toContain(`${v.label}: factual ${v.factual.toFixed(2)}`);
      expect(desc).toContain(`counterfactual ${v.counterfactual.toFixed(2)}`);
    }

    // The verification the API reports.
    expect(json.verification).not.toBeNull();
    expect(await page.locator('#verification .metrics').textContent()).toContain(
      `mean absolute error ${json.verification!.mae.toFixed(2)}`,
    );
    expect(await page.locator('#verification-table tbody tr').count()).toBe(
      json.verification!.dimensions.length,
    );

    // "Copy as curl": the command posts the same request.
    await page.locator('#copy-curl').click();
    const curl = (await page.locator('#curl').textContent()) ?? '';
    expect(curl).toMatch(/^curl -N -X POST 'http:\/\/127\.0\.0\.1:\d+\/v1\/align'/);
    const data = /--data-raw '(.*)'$/s.exec(curl)![1]!.replace(/'\\''/g, "'");
    expect(JSON.parse(data)).toEqual({ ...request, stream: true });

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'playground.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('shows errors: nothing set, and an error the server answers', async () => {
    const { page, live, pageErrors } = pg;
    await page.goto(`${live.url}/`);
    await page.locator('#slider-benevolence').waitFor();
    await page.locator('#submit').click();
    await expect(page.locator('#error').textContent()).resolves.toContain('Set at least one value');

    // An unconfigured generator: the server refuses before streaming, with the error envelope.
    await page.locator('#sliders-box').getByLabel('Tradition', { exact: true }).fill('2');
    await page.locator('#generator').selectOption('openai');
    await page.locator('#submit').click();
    await page.locator('#error', { hasText: 'GENERATOR_UNAVAILABLE' }).waitFor();
    expect(await page.locator('#error').getAttribute('role')).toBe('alert');
    expect(await page.locator('#status').textContent()).toBe('The request failed.');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('aligns on mft-6, schwartz-19 and an uploaded graph with no preset named (the graph’s prior)', async () => {
    const { page, live, pageErrors } = pg;
    // An uploaded custom graph with its own value system (two values under one latent).
    const custom = twoValueGraph('browser-values');
    const created = await fetch(`${live.url}/v1/graphs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(custom),
    });
    expect(created.status).toBe(201);
    for (const [graph, slider, label] of [
      ['mft-6', 'care', 'Care'],
      ['schwartz-19', 'benevolence_caring', 'Benevolence–caring'],
      ['browser-values', 'ambition', 'Ambition'],
    ] as const) {
      await page.goto(`${live.url}/`);
      await page.locator('#slider-benevolence').waitFor();
      await page.locator('#graph').selectOption(graph);
      await page.locator(`#slider-${slider}`).waitFor();
      await page.locator('#sliders-box').getByLabel(label, { exact: true }).fill('5');
      await page.locator('#question').fill(QUESTION);
      await page.locator('#submit').click();
      await page.locator('#status', { hasText: 'Done' }).waitFor({ timeout: 30_000 });
      await expect(page.locator('#error').isHidden()).resolves.toBe(true);
      expect((await page.locator('#answer').textContent())?.length ?? 0).toBeGreaterThan(0);
      expect(await page.locator('#generator-note').textContent()).toContain(
        'Factual profile: the graph’s population prior.',
      );
      expect(
        await page.locator(`#values-table tbody tr[data-value="${slider}"]`).getAttribute('data-status'),
      ).toBe('set');
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('offers a ranking instead of sliders', async () => {
    const { page, live, pageErrors } = pg;
    await page.goto(`${live.url}/`);
    await page.locator('#slider-benevolence').waitFor();
    await page.getByLabel('Ranking', { exact: true }).check();
    await page.locator('#rank-universalism').check();
    await page.locator('#rank-power').check();
    // Universalism (10th in circle order) moves up past power (5th).
    for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Move Universalism up' }).click();
    const curl = (await page.locator('#curl').textContent()) ?? '';
    const data = JSON.parse(/--data-raw '(.*)'$/s.exec(curl)![1]!.replace(/'\\''/g, "'")) as {
      target: unknown;
    };
    // The list starts in circle order; the ranking is the ticked values in list order.
    expect(data.target).toEqual({ format: 'ranking', ranking: ['universalism', 'power'] });
    await page.locator('#submit').click();
    await page.locator('#status', { hasText: 'Done' }).waitFor({ timeout: 30_000 });
    const statuses = await page
      .locator('#values-table tbody tr')
      .evaluateAll((trs) => trs.filter((tr) => tr.getAttribute('data-status') === 'set').length);
    expect(statuses).toBe(2);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
