/** Every bundled value system loads, validates and compiles, and carries what its users rely on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledGraphsDir, loadGraphDir, makeEntry } from '../../src/graphs/registry.js';
import { BUNDLED_SYSTEMS } from '../fixtures/value-systems.js';
import { counterfactual } from '../../src/scm/index.js';

const graphs = loadGraphDir();
const IDS = ['schwartz-10', 'schwartz-19', 'mft-6', 'valuepilot-6'];

/** The 20 Touché23-ValueEval level-2 categories. */
const TOUCHE_CATEGORIES = [
  'Self-direction: thought',
  'Self-direction: action',
  'Stimulation',
  'Hedonism',
  'Achievement',
  'Power: dominance',
  'Power: resources',
  'Face',
  'Security: personal',
  'Security: societal',
  'Tradition',
  'Conformity: rules',
  'Conformity: interpersonal',
  'Humility',
  'Benevolence: caring',
  'Benevolence: dependability',
  'Universalism: concern',
  'Universalism: nature',
  'Universalism: tolerance',
  'Universalism: objectivity',
];
/** Level-1 values per category, as published (54 in all). */
const TOUCHE_COUNTS = [3, 4, 3, 1, 5, 2, 1, 2, 5, 2, 2, 3, 2, 2, 5, 2, 3, 3, 2, 2];

describe('bundled graphs', () => {
  it('the registry loads exactly the four value systems (preset files in graphs/presets/ are not graphs)', () => {
    expect([...graphs.keys()].sort()).toEqual([...IDS].sort());
  });

  for (const id of IDS) {
    describe(id, () => {
      const entry = graphs.get(id)!;
      const file = entry.file;

      it('validates and compiles from its file, and re-validates from its raw JSON', () => {
        expect(entry.program.n).toBe(file.nodes.length);
        const raw = JSON.parse(readFileSync(join(bundledGraphsDir(), `${id}.json`), 'utf8'));
        expect(makeEntry(raw).hash).toBe(entry.hash);
        expect(entry.program.linear).toBe(true);
      });

      it('its value nodes are the value system src/values uses, in the same order', () => {
        const values = file.nodes.filter((n) => n.kind === 'value').map((n) => n.id);
        expect(values).toEqual(BUNDLED_SYSTEMS.get(id)!.values.map((v) => v.id));
        expect(file.scale).toBe('centered');
      });

      it('latents are standardised roots; every value hangs off the latents; every concept off values', () => {
        const kinds = new Map(file.nodes.map((n) => [n.id, n.kind]));
        for (const n of file.nodes) {
          const parents = file.edges.filter(([, c]) => c === n.id).map(([p]) => p);
          if (n.kind === 'latent') {
            expect(n.mechanism).toEqual({ type: 'root', mean: 0, sd: 1 });
          } else if (n.kind === 'value') {
            expect(parents.length).toBeGreaterThan(0);
            for (const p of parents) expect(kinds.get(p)).toBe('latent');
          } else {
            expect(parents.length).toBeGreaterThan(0);
            for (const p of parents) expect(kinds.get(p)).toBe('value');
          }
        }
      });

      it('every concept has a label, description, group and 8–20 distinct lower-case phrases', () => {
        const concepts = file.nodes.filter((n) => n.kind === 'concept');
        expect(concepts.length).toBeGreaterThanOrEqual(18);
        for (const c of concepts) {
          expect(c.label.length, c.id).toBeGreaterThan(0);
          expect(c.description?.length ?? 0, c.id).toBeGreaterThan(10);
          expect(c.group, c.id).toBeTruthy();
          expect(c.phrases!.length, c.id).toBeGreaterThanOrEqual(8);
          expect(c.phrases!.length, c.id).toBeLessThanOrEqual(20);
          expect(new Set(c.phrases).size, c.id).toBe(c.phrases!.length);
          for (const p of c.phrases!) expect(p, c.id).toBe(p.toLowerCase().trim());
        }
      });

      it('provenance records source, licence, method and date, and marks the concept layer as a prior', () => {
        const p = file.provenance as unknown as Record<string, unknown> & {
          conceptPrior: { fitted: boolean; loading: number };
        };
        for (const key of ['source', 'licence', 'method', 'date']) expect(p[key], key).toBeTruthy();
        expect(p.conceptPrior.fitted).toBe(false);
        expect(p.conceptPrior.loading).toBe(0.7);
        if (id !== 'schwartz-10') expect(String(p.method)).toMatch(/PRIOR, NOT FITTED/);
      });

      it('concepts have implied mean 0 and sd 1 with noise sd √(1 − 0.7²), as the prior says', () => {
        // Sample the model by its own equations and check the concept scale empirically.
        let seed = 7;
        const rand = () => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed / 2147483648;
        };
        const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
        const order = entry.program.ids;
        const nodes = new Map(file.nodes.map((n) => [n.id, n]));
        const concepts = file.nodes.filter((n) => n.kind === 'concept').slice(0, 6);
        const sums = concepts.map(() => [0, 0]);
        const N = 20000;
        for (let s = 0; s < N; s++) {
          const x: Record<string, number> = {};
          for (const nid of order) {
            const m = nodes.get(nid)!.mechanism;
            if (m.type === 'root') x[nid] = m.mean + m.sd * normal();
            else if (m.type === 'linear') {
              let v = m.intercept + m.noiseSd * normal();
              for (const [p, b] of Object.entries(m.coefficients)) v += b * x[p]!;
              x[nid] = v;
            }
          }
          concepts.forEach((c, i) => {
            sums[i]![0]! += x[c.id]!;
            sums[i]![1]! += x[c.id]! ** 2;
          });
        }
        concepts.forEach((c, i) => {
          const mean = sums[i]![0]! / N;
          const sd = Math.sqrt(sums[i]![1]! / N - mean * mean);
          expect(Math.abs(mean), c.id).toBeLessThan(0.05);
          expect(Math.abs(sd - 1), c.id).toBeLessThan(0.05);
          if (c.mechanism.type === 'linear') expect(c.mechanism.noiseSd).toBeCloseTo(Math.sqrt(1 - 0.49), 5);
        });
      });
    });
  }

  for (const id of ['schwartz-10', 'schwartz-19']) {
    it(`${id}: the concept layer is the 54 Touché23 level-1 values, grouped by their 20 categories`, () => {
      const concepts = graphs.get(id)!.file.nodes.filter((n) => n.kind === 'concept');
      expect(concepts).toHaveLength(54);
      const counts = TOUCHE_CATEGORIES.map((cat) => concepts.filter((c) => c.group === cat).length);
      expect(counts).toEqual(TOUCHE_COUNTS);
    });
  }

  it('schwartz-10 concept parents follow the PVQ-RR 10-value key; face and objectivity split between neighbours', () => {
    const file = graphs.get('schwartz-10')!.file;
    const parents = (id: string) =>
      file.edges
        .filter(([, c]) => c === id)
        .map(([p]) => p)
        .sort();
    expect(parents('be_humble')).toEqual(['tradition']);
    expect(parents('have_privacy')).toEqual(['self_direction']);
    expect(parents('have_wealth')).toEqual(['power']);
    expect(parents('have_a_good_reputation')).toEqual(['power', 'security']);
    expect(parents('be_logical')).toEqual(['self_direction', 'universalism']);
    expect(parents('be_honoring_elders')).toEqual(['conformity']);
  });
});

describe('theory priors behave as the theory says', () => {
  it('schwartz-19: raising benevolence–caring raises its neighbours and lowers the opposite values', () => {
    const { program } = graphs.get('schwartz-19')!;
    const evidence = { benevolence_caring: 0.5, power_dominance: -0.8, achievement: -0.4 };
    const r = counterfactual(program, {
      evidence,
      interventions: [{ node: 'benevolence_caring', type: 'structured', value: 1.8 }],
    });
    const at = (arr: Float64Array, id: string) => arr[program.index.get(id)!]!;
    for (const up of ['benevolence_dependability', 'universalism_concern', 'humility']) {
      expect(at(r.counterfactual, up), up).toBeGreaterThan(at(r.factual, up));
    }
    for (const down of ['power_dominance', 'power_resources', 'achievement']) {
      expect(at(r.counterfactual, down), down).toBeLessThan(at(r.factual, down));
    }
  });

  it('schwartz-19 angles: 19 values ~18.95° apart, clockwise in circle order', () => {
    const file = graphs.get('schwartz-19')!.file;
    const values = file.nodes.filter((n) => n.kind === 'value');
    const angle = (i: number) => {
      const m = values[i]!.mechanism;
      if (m.type !== 'linear') throw new Error('linear expected');
      return Math.atan2(m.coefficients.transcendence_enhancement!, m.coefficients.openness_conservation!);
    };
    for (let i = 0; i < 19; i++) {
      const d = (((angle(i) - angle((i + 1) % 19)) * 180) / Math.PI + 360) % 360;
      expect(d).toBeCloseTo(360 / 19, 1);
    }
  });

  it('mft-6: raising care raises fairness and lowers loyalty, authority and sanctity', () => {
    const { program } = graphs.get('mft-6')!;
    const r = counterfactual(program, {
      evidence: { care: 0, fairness: 0, loyalty: 0, authority: 0, sanctity: 0, liberty: 0 },
      interventions: [{ node: 'care', type: 'structured', value: 1 }],
    });
    const cf = (id: string) => r.counterfactual[program.index.get(id)!]!;
    expect(cf('fairness')).toBeGreaterThan(0.1);
    for (const b of ['loyalty', 'authority', 'sanctity']) expect(cf(b), b).toBeLessThan(-0.1);
    expect(cf('protect_the_vulnerable')).toBeGreaterThan(0);
  });
});
