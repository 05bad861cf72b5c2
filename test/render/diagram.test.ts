/**
 * The graph diagram: the bundled graphs and a generic one render to the committed golden bytes, as
 * valid, accessible XML, with values on the circle in theory order, latents inside, concepts outside,
 * edge width by |weight| and the sign shown by colour and dash pattern.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_GRAPH } from '../../schemas/api.js';
import type { GraphFile } from '../../schemas/graph.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { graphDiagram, spreadAngles, type DiagramOptions } from '../../src/render/index.js';
import { BUNDLED_SYSTEMS } from '../fixtures/value-systems.js';
import { checkGolden, noisyNumbers, ROOT } from './golden.js';
import { byName, elements, hasClass, parseXml, textOf, type XmlElement } from './xml.js';

const bundled = loadGraphDir(join(ROOT, 'graphs'));
const generic = JSON.parse(
  readFileSync(join(ROOT, 'test', 'render', 'fixtures', 'generic.json'), 'utf8'),
) as GraphFile;

const orderOf = (id: string) => BUNDLED_SYSTEMS.get(id)!.values.map((v) => v.id);

const CASES: Record<string, { file: GraphFile; options: DiagramOptions }> = {
  'diagram-schwartz-10.svg': {
    file: bundled.get('schwartz-10')!.file,
    options: { order: orderOf('schwartz-10') },
  },
  'diagram-schwartz-19.svg': {
    file: bundled.get('schwartz-19')!.file,
    options: { order: orderOf('schwartz-19') },
  },
  'diagram-mft-6.svg': { file: bundled.get('mft-6')!.file, options: { order: orderOf('mft-6') } },
  'diagram-mft-6-no-concepts.svg': {
    file: bundled.get('mft-6')!.file,
    options: { order: orderOf('mft-6'), concepts: false, idPrefix: 'mft' },
  },
  'diagram-generic.svg': { file: generic, options: { title: 'Generic & <escaped> "title"' } },
  'diagram-example.svg': { file: EXAMPLE_GRAPH, options: {} },
};

const nodeGroups = (svg: XmlElement) => elements(svg).filter((e) => hasClass(e, 'node'));
const edgeLines = (svg: XmlElement) => elements(svg).filter((e) => hasClass(e, 'edge'));
const squash = (s: string) => s.replace(/\s+/g, '');

/** Centre of a node group: its rect's centre or its circle's centre. */
function centre(g: XmlElement): { x: number; y: number } {
  const rect = byName(g, 'rect')[0];
  if (rect) {
    return {
      x: Number(rect.attrs.x) + Number(rect.attrs.width) / 2,
      y: Number(rect.attrs.y) + Number(rect.attrs.height) / 2,
    };
  }
  const circle = byName(g, 'circle')[0]!;
  return { x: Number(circle.attrs.cx), y: Number(circle.attrs.cy) };
}

function svgCentre(svg: XmlElement): { x: number; y: number } {
  // The dashed guide circle of the values is drawn around the centre.
  const guide = byName(svg, 'circle').find((c) => c.attrs['stroke-dasharray'] === '3 5')!;
  return { x: Number(guide.attrs.cx), y: Number(guide.attrs.cy) };
}

describe('graphDiagram golden files', () => {
  it.each(Object.keys(CASES))('%s is byte-identical to the golden file', (name) => {
    const { file, options } = CASES[name]!;
    checkGolden(name, graphDiagram(file, options));
  });

  it('is deterministic', () => {
    for (const { file, options } of Object.values(CASES)) {
      expect(graphDiagram(file, options)).toBe(graphDiagram(structuredClone(file), { ...options }));
    }
  });
});

describe('graphDiagram structure', () => {
  it.each(Object.keys(CASES))('%s is valid, accessible XML with every node labelled', (name) => {
    const { file, options } = CASES[name]!;
    const out = graphDiagram(file, options);
    const svg = parseXml(out);
    expect(svg.attrs.role).toBe('img');
    const [title, desc] = svg.children.filter((c): c is XmlElement => typeof c !== 'string');
    expect(title!.name).toBe('title');
    expect(desc!.name).toBe('desc');
    expect(svg.attrs['aria-labelledby']).toBe(`${title!.attrs.id} ${desc!.attrs.id}`);
    expect(textOf(title!)).toContain(options.title ?? file.title ?? file.id);
    expect(noisyNumbers(out)).toEqual([]);
    expect(out).not.toMatch(/NaN|Infinity/);
    const ids = elements(svg)
      .map((e) => e.attrs.id)
      .filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);

    const drawn = file.nodes.filter((n) => options.concepts !== false || n.kind !== 'concept');
    const groups = nodeGroups(svg);
    expect(groups.map((g) => g.attrs['data-node']).sort()).toEqual(drawn.map((n) => n.id).sort());
    for (const g of groups) {
      const node = file.nodes.find((n) => n.id === g.attrs['data-node'])!;
      // A visible text label (wrapped lines joined) and a tooltip naming the node.
      const visible = byName(g, 'text')
        .map((t) => textOf(t))
        .join('');
      expect(squash(visible)).toBe(squash(node.label));
      expect(textOf(byName(g, 'title')[0]!)).toContain(node.label);
    }
  });

  it('draws every edge with its weight: width by |weight|, sign by colour AND dash', () => {
    for (const [name, { file, options }] of Object.entries(CASES)) {
      const svg = parseXml(graphDiagram(file, options));
      const drawnIds = new Set(nodeGroups(svg).map((g) => g.attrs['data-node']));
      const expected = file.edges.filter(([a, b]) => drawnIds.has(a) && drawnIds.has(b));
      const lines = edgeLines(svg);
      expect(
        lines.map((l) => `${l.attrs['data-from']}>${l.attrs['data-to']}`),
        name,
      ).toEqual(expected.map(([a, b]) => `${a}>${b}`));
      const weighted: Array<{ w: number; width: number }> = [];
      for (const l of lines) {
        const node = file.nodes.find((n) => n.id === l.attrs['data-to'])!;
        const w =
          node.mechanism.type === 'linear' ? node.mechanism.coefficients[l.attrs['data-from']!] : undefined;
        const tip = textOf(byName(l, 'title')[0]!);
        if (w === undefined) {
          expect(hasClass(l, 'edge-nonlinear')).toBe(true);
          expect(l.attrs['stroke-dasharray']).toBe('2 3');
          expect(tip).toContain('nonlinear');
          continue;
        }
        weighted.push({ w: Math.abs(w), width: Number(l.attrs['stroke-width']) });
        if (w >= 0) {
          expect(hasClass(l, 'edge-positive'), name).toBe(true);
          expect(l.attrs['stroke-dasharray']).toBeUndefined();
          expect(l.attrs.stroke).toBe('#2166ac');
        } else {
          expect(hasClass(l, 'edge-negative'), name).toBe(true);
          expect(l.attrs['stroke-dasharray']).toBe('7 4');
          expect(l.attrs.stroke).toBe('#b35806');
          expect(tip).toMatch(/weight −\d\.\d\d$/);
        }
      }
      // Width grows with |weight|.
      weighted.sort((a, b) => a.w - b.w);
      for (let i = 1; i < weighted.length; i++) {
        if (weighted[i]!.w > weighted[i - 1]!.w + 0.01) {
          expect(weighted[i]!.width, name).toBeGreaterThanOrEqual(weighted[i - 1]!.width);
        }
      }
      if (weighted.length > 1 && weighted.at(-1)!.w > weighted[0]!.w + 0.1) {
        expect(weighted.at(-1)!.width).toBeGreaterThan(weighted[0]!.width);
      }
    }
  });

  it('puts the values on a circle in theory order, clockwise from the top, latents inside, concepts outside', () => {
    for (const id of ['schwartz-10', 'schwartz-19', 'mft-6']) {
      const { file, options } = CASES[`diagram-${id}.svg`]!;
      const svg = parseXml(graphDiagram(file, options));
      const c = svgCentre(svg);
      const at = new Map(nodeGroups(svg).map((g) => [g.attrs['data-node']!, centre(g)]));
      const polar = (nodeId: string) => {
        const p = at.get(nodeId)!;
        const r = Math.hypot(p.x - c.x, p.y - c.y);
        // Clockwise angle from the top, in [0, 360).
        const a = ((Math.atan2(p.x - c.x, -(p.y - c.y)) * 180) / Math.PI + 360) % 360;
        return { r, a };
      };
      const values = options.order!;
      const rv = polar(values[0]!).r;
      values.forEach((v, i) => {
        const p = polar(v);
        expect(p.r).toBeCloseTo(rv, 0);
        expect(p.a).toBeCloseTo((360 * i) / values.length, 0);
      });
      for (const n of file.nodes) {
        const { r } = polar(n.id);
        if (n.kind === 'latent') expect(r, n.id).toBeLessThan(rv * 0.8);
        if (n.kind === 'concept') expect(r, n.id).toBeGreaterThan(rv * 1.2);
      }
      // A concept sits near its parent value (within a quarter turn).
      for (const n of file.nodes.filter((x) => x.kind === 'concept' && x.mechanism.type === 'linear')) {
        const parents = Object.keys((n.mechanism as { coefficients: Record<string, number> }).coefficients);
        const d = Math.min(...parents.map((p) => Math.abs(((polar(n.id).a - polar(p).a + 540) % 360) - 180)));
        expect(d, `${id}: ${n.id}`).toBeLessThan(90);
      }
    }
  });

  it('describes the graph in words and has a text legend', () => {
    const { file, options } = CASES['diagram-schwartz-10.svg']!;
    const svg = parseXml(graphDiagram(file, options));
    const desc = textOf(byName(svg, 'desc')[0]!);
    expect(desc).toContain('2 latent dimensions, 10 values, 54 behaviour concepts');
    expect(desc).toContain(
      'clockwise from the top: Self-direction, Stimulation, Hedonism, Achievement, Power, Security, Conformity, Tradition, Benevolence, Universalism',
    );
    const legend = textOf(
      elements(svg).find((e) => hasClass(e, 'legend'))!,
      true,
    );
    expect(legend).toContain('positive weight (solid)');
    expect(legend).toContain('negative weight (dashed)');
    expect(legend).toContain('Line width grows with |weight|');
    const generic = parseXml(graphDiagram(CASES['diagram-generic.svg']!.file));
    expect(
      textOf(
        elements(generic).find((e) => hasClass(e, 'legend'))!,
        true,
      ),
    ).toContain('nonlinear mechanism');
  });
});

describe('spreadAngles', () => {
  it('keeps well-separated anchors where they are', () => {
    expect(spreadAngles([0, 1, 2], 0.1)).toEqual([0, 1, 2]);
  });

  it('spreads crowded anchors around their mean, at least the separation apart', () => {
    const out = spreadAngles([1, 1, 1, 3], 0.2);
    expect(out[0]).toBeCloseTo(0.8);
    expect(out[1]).toBeCloseTo(1);
    expect(out[2]).toBeCloseTo(1.2);
    expect(out[3]).toBe(3);
  });

  it('spaces evenly when nothing else fits', () => {
    const out = spreadAngles([0, 0, 0, 0], Math.PI);
    const sorted = [...out].sort((a, b) => a - b);
    for (let i = 1; i < 4; i++) expect(sorted[i]! - sorted[i - 1]!).toBeCloseTo(Math.PI / 2);
  });
});
