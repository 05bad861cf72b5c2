/**
 * The playground highlights the words that drove each detected concept: after an answer, the page reads
 * it back with the learned detector (POST /v1/attributions) and marks the `drivers` spans of every
 * present concept in the answer's text. Real Chromium (/usr/bin/chromium) against the real server; the
 * marks are checked against the API's JSON for the same text. Skipped without Chromium (chromium.ts).
 */
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, requireChromium, usePlayground } from './chromium.js';

requireChromium('the drivers browser test');

interface Concept {
  concept: string;
  status: string;
  drivers?: Array<{ start: number; end: number; text: string; weight: number }>;
}

/** The set of character positions covered by some spans. */
const covered = (spans: ReadonlyArray<{ start: number; end: number }>) => {
  const out = new Set<number>();
  for (const s of spans) for (let i = s.start; i < s.end; i++) out.add(i);
  return [...out].sort((a, b) => a - b);
};

describe.skipIf(!HAVE_CHROMIUM)('the playground highlights what drove the detection', () => {
  const pg = usePlayground();

  it('marks exactly the drivers of every present concept in the answer, as the API reports them', async () => {
    const { page, live, pageErrors } = pg;
    await page.goto(`${live.url}/`);
    await page.locator('#slider-benevolence').waitFor();
    await page.locator('#sliders-box').getByLabel('Benevolence', { exact: true }).fill('5');
    await page.locator('#sliders-box').getByLabel('Power', { exact: true }).fill('1');
    await page.locator('#question').fill('Should I lend my savings to a friend who lost his job?');
    await page.locator('#submit').click();
    await page.locator('#status', { hasText: 'Done' }).waitFor({ timeout: 30_000 });
    await page.locator('#drivers-text').waitFor({ timeout: 10_000 });

    const answer = (await page.locator('#answer').textContent())!;
    expect(await page.locator('#drivers-text').textContent()).toBe(answer);
    const res = await fetch(`${live.url}/v1/attributions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: answer, graph: 'schwartz-10', detector: 'learned' }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { concepts: Concept[] };
    const driven = json.concepts.filter((c) => c.status === 'present' && (c.drivers ?? []).length > 0);
    expect(driven.length).toBeGreaterThan(0);

    // The marks: their text, start offset and concepts, in document order.
    const marks = await page.locator('#drivers-text mark').evaluateAll((ms) =>
      ms.map((m) => ({
        text: m.textContent ?? '',
        start: Number(m.getAttribute('data-start')),
        concepts: (m.getAttribute('data-concepts') ?? '').split(' '),
      })),
    );
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect(answer.slice(m.start, m.start + m.text.length)).toBe(m.text);
    // Per concept, the marked characters are exactly its driver spans; marks name no other concept.
    for (const c of driven) {
      const mine = marks
        .filter((m) => m.concepts.includes(c.concept))
        .map((m) => ({ start: m.start, end: m.start + m.text.length }));
      expect(covered(mine), c.concept).toEqual(covered(c.drivers!));
    }
    const names = new Set(driven.map((c) => c.concept));
    for (const m of marks) for (const id of m.concepts) expect(names.has(id)).toBe(true);
    // And the list names each driven concept with its driver words.
    const items = page.locator('#drivers-list li');
    expect(await items.count()).toBe(driven.length);
    for (const c of driven) {
      const text = await page.locator(`#drivers-list li[data-concept="${c.concept}"]`).textContent();
      for (const d of c.drivers!) expect(text).toContain(d.text);
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
