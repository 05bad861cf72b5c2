/**
 * The radar chart: fixed inputs render to the committed golden bytes, and the output is valid XML,
 * accessible (title, desc, role, labels) and free of floating-point noise.
 */
import { describe, expect, it } from 'vitest';
import { radarChart, type RadarOptions, type RadarValue } from '../../src/render/index.js';
import { runs } from '../../src/render/radar.js';
import { SCHWARTZ_10, SCHWARTZ_19, MFT_6 } from '../fixtures/value-systems.js';
import { checkGolden, noisyNumbers } from './golden.js';
import { byName, elements, hasClass, parseXml, textOf, type XmlElement } from './xml.js';

const order10 = SCHWARTZ_10.values.map((v) => v.id);

/** A steered schwartz-10 profile: benevolence and security set, the rest inferred. */
const FACTUAL_10: Record<string, number> = {
  self_direction: 3.43,
  stimulation: 2.69,
  hedonism: 2.75,
  achievement: 2.58,
  power: 2.42,
  security: 3.27,
  conformity: 2.68,
  tradition: 3.07,
  benevolence: 3.47,
  universalism: 3.44,
};
const COUNTERFACTUAL_10: Record<string, number> = {
  self_direction: 3.98,
  stimulation: 1.86,
  hedonism: 1.87,
  achievement: 1.04,
  power: 1,
  security: 4,
  conformity: 2.47,
  tradition: 3.71,
  benevolence: 5,
  // Floating-point noise on purpose: it must not reach the output.
  universalism: 4.77 + 0.02, // 4.789999999999999
};

function schwartz10(targets: Record<string, number>): RadarValue[] {
  // Given in reverse order: the chart puts them in circle order itself.
  return [...SCHWARTZ_10.values].reverse().map((v) => ({
    id: v.id,
    label: v.label,
    factual: FACTUAL_10[v.id]!,
    target: targets[v.id] ?? null,
    counterfactual: COUNTERFACTUAL_10[v.id]!,
  }));
}

const CASES: Record<string, RadarOptions> = {
  'radar-schwartz-10.svg': {
    values: schwartz10({ benevolence: 5, security: 4 }),
    title: 'Value profile on schwartz-10: factual, target and counterfactual',
    order: order10,
  },
  'radar-schwartz-19-partial.svg': {
    values: SCHWARTZ_19.values.map((v, i) => ({
      id: v.id,
      label: v.label,
      factual: i % 5 === 4 ? null : 2 + ((i * 7) % 10) / 5,
      target: [0, 1, 2, 9, 18].includes(i) ? 5 - (i % 3) : null,
      counterfactual: 1 + ((i * 3) % 17) / 4,
    })),
    title: 'Nineteen values & a "partial" target <with an unusually long title that has to wrap>',
    order: SCHWARTZ_19.values.map((v) => v.id),
    idPrefix: 'chart-19',
  },
  'radar-mft-6-centered.svg': {
    values: MFT_6.values.map((v, i) => ({
      id: v.id,
      label: v.label,
      factual: null,
      target: i < 2 ? 2.5 : null,
      counterfactual: -2.5 + i * 0.9,
    })),
    scale: { min: -2.5, max: 2.5, label: 'centered' },
    title: 'Moral foundations, centered scores',
  },
};

function seriesShapes(svg: XmlElement, id: string): XmlElement[] {
  return elements(svg).filter((e) => hasClass(e, 'series-shape') && hasClass(e, `series-${id}`));
}

/** The words of every text element (tspans of a wrapped label joined), titles left out. */
function visibleText(svg: XmlElement): string {
  return byName(svg, 'text')
    .map((t) => textOf(t, true))
    .join('\n');
}

describe('radarChart golden files', () => {
  it.each(Object.keys(CASES))('%s is byte-identical to the golden file', (name) => {
    checkGolden(name, radarChart(CASES[name]!));
  });

  it('is deterministic: the same input gives the same bytes', () => {
    for (const c of Object.values(CASES)) expect(radarChart(c)).toBe(radarChart(structuredClone(c)));
  });
});

describe('radarChart structure', () => {
  it.each(Object.keys(CASES))('%s is valid, accessible XML', (name) => {
    const opts = CASES[name]!;
    const out = radarChart(opts);
    const svg = parseXml(out);
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attrs.role).toBe('img');
    // aria-labelledby names the <title> and <desc>, which are the first children and not empty.
    const ids = svg.attrs['aria-labelledby']!.split(' ');
    const [title, desc] = svg.children.filter((c): c is XmlElement => typeof c !== 'string');
    expect(title!.name).toBe('title');
    expect(desc!.name).toBe('desc');
    expect(ids).toEqual([title!.attrs.id, desc!.attrs.id]);
    expect(textOf(title!)).toBe(opts.title);
    expect(textOf(desc!).length).toBeGreaterThan(100);
    // Element ids are unique.
    const all = elements(svg)
      .map((e) => e.attrs.id)
      .filter(Boolean);
    expect(new Set(all).size).toBe(all.length);
    expect(noisyNumbers(out)).toEqual([]);
    expect(out).not.toMatch(/NaN|Infinity|"-0(\.0+)?"/);
  });

  it('draws one closed polygon per complete series, and lines only between neighbouring set axes', () => {
    const svg = parseXml(radarChart(CASES['radar-schwartz-10.svg']!));
    for (const id of ['factual', 'counterfactual']) {
      const shapes = seriesShapes(svg, id);
      expect(shapes.map((s) => s.name)).toEqual(['polygon']);
      expect(shapes[0]!.attrs.points!.split(' ')).toHaveLength(10);
    }
    // benevolence and security are not neighbours on the circle: no line joins them.
    expect(seriesShapes(svg, 'target')).toEqual([]);
    const partial = parseXml(radarChart(CASES['radar-schwartz-19-partial.svg']!));
    // Targets at positions 18, 0, 1, 2 (a run across the top) and 9 (alone).
    const [path] = seriesShapes(partial, 'target');
    expect(path!.name).toBe('path');
    expect(path!.attrs.d!.match(/M/g)).toHaveLength(1);
    expect(path!.attrs.d!.match(/L/g)).toHaveLength(3);
  });

  it('has a marker with a tooltip for every point', () => {
    const opts = CASES['radar-schwartz-10.svg']!;
    const svg = parseXml(radarChart(opts));
    for (const id of ['factual', 'target', 'counterfactual'] as const) {
      const group = elements(svg).find((e) => e.attrs['data-series'] === id)!;
      const markers = elements(group).filter(
        (e) => ['circle', 'rect', 'path'].includes(e.name) && !hasClass(e, 'series-shape'),
      );
      const expected = opts.values.filter((v) => v[id] !== null).length;
      expect(markers).toHaveLength(expected);
      for (const m of markers) expect(byName(m, 'title')).toHaveLength(1);
    }
    const tips = byName(svg, 'title').map((t) => textOf(t));
    expect(tips).toContain('Benevolence: target 5.00');
    expect(tips).toContain('Universalism: counterfactual 4.79');
  });

  it('labels every axis, in circle order starting at the top', () => {
    for (const [name, opts] of Object.entries(CASES)) {
      const svg = parseXml(radarChart(opts));
      const labels = elements(svg).filter((e) => hasClass(e, 'axis-label'));
      const expectedOrder = opts.order ?? opts.values.map((v) => v.id);
      expect(
        labels.map((l) => l.attrs['data-value']),
        name,
      ).toEqual(expectedOrder);
      const text = visibleText(svg).replace(/\s+/g, '');
      for (const v of opts.values) expect(text, `${name}: ${v.label}`).toContain(v.label.replace(/\s+/g, ''));
      // The first axis label sits straight above the centre.
      expect(byName(labels[0]!, 'tspan')[0]!.attrs.x).toBe('360.0');
    }
  });

  it('has a text legend for every series present (meaning never by colour alone)', () => {
    const svg = parseXml(radarChart(CASES['radar-schwartz-10.svg']!));
    const legend = elements(svg).find((e) => hasClass(e, 'legend'))!;
    const text = textOf(legend, true);
    expect(text).toContain('Factual (before steering)');
    expect(text).toContain('Target (the values set)');
    expect(text).toContain('Counterfactual (steered profile)');
    // Series differ by dash pattern and marker shape, not just colour: the legend's line samples.
    const samples = byName(legend, 'line').map((l) => l.attrs['stroke-dasharray'] ?? 'solid');
    expect(new Set(samples).size).toBe(3);
    const markerShapes = elements(legend)
      .filter((e) => ['circle', 'rect', 'path'].includes(e.name))
      .map((e) => e.name);
    expect(new Set(markerShapes).size).toBe(3);
    const mft = parseXml(radarChart(CASES['radar-mft-6-centered.svg']!));
    expect(
      textOf(
        elements(mft).find((e) => hasClass(e, 'legend'))!,
        true,
      ),
    ).not.toContain('Factual');
  });

  it('puts the numbers in the description with fixed decimals', () => {
    const out = radarChart(CASES['radar-schwartz-10.svg']!);
    const desc = textOf(byName(parseXml(out), 'desc')[0]!);
    expect(desc).toContain('Benevolence: factual 3.47, target 5.00, counterfactual 5.00.');
    expect(desc).toContain('Power: factual 2.42, target not set, counterfactual 1.00.');
    expect(desc).toContain('Universalism: factual 3.44, target not set, counterfactual 4.79.');
  });

  it('escapes text and rejects what it cannot draw', () => {
    const out = radarChart(CASES['radar-schwartz-19-partial.svg']!);
    expect(out).toContain('Nineteen values &amp; a &quot;partial&quot; target &lt;with');
    expect(() => radarChart({ values: [], title: 't' })).toThrow(/at least one value/);
    expect(() =>
      radarChart({
        values: [{ id: 'a', label: 'A', factual: NaN, target: null, counterfactual: 1 }],
        title: 't',
      }),
    ).toThrow(/not a finite number/);
    expect(() => radarChart({ values: schwartz10({}), title: 't', scale: { min: 5, max: 1 } })).toThrow(
      /min < max/,
    );
  });
});

describe('runs', () => {
  it('finds runs of neighbouring set axes, wrapping around the circle', () => {
    expect(runs([true, true, false, true, false, true], true)).toEqual([[5, 0, 1]]);
    expect(runs([true, false, true, false], true)).toEqual([]);
    expect(runs([true, true, true], true)).toEqual([[0, 1, 2]]);
    expect(runs([true, true, false, true, true], false)).toEqual([
      [0, 1],
      [3, 4],
    ]);
  });
});
