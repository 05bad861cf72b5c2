/**
 * Presets: every one converts to every format, and the figures match the published ones. Figures are
 * restated from research/values.md (Value Portrait repo table and the human means), not read from data.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HUMAN_RANK_CURVE,
  PROFILE_FORMATS,
  convertProfile,
  getPreset,
  listPresets,
} from '../../src/values/index.js';
import { presetsDir, readPresets } from '../../src/values/presets.js';

const presets = listPresets();
const TEN = [
  'self_direction',
  'stimulation',
  'hedonism',
  'achievement',
  'power',
  'security',
  'conformity',
  'tradition',
  'benevolence',
  'universalism',
];

describe('presets', () => {
  it('34 llm:<model> presets, human:mean and human:cluster-1…5, unique ids, full centered 10-value profiles', () => {
    const llm = presets.filter((p) => p.id.startsWith('llm:'));
    expect(llm).toHaveLength(34);
    expect(presets.filter((p) => p.id.startsWith('human:')).map((p) => p.id)).toEqual([
      'human:mean',
      'human:cluster-1',
      'human:cluster-2',
      'human:cluster-3',
      'human:cluster-4',
      'human:cluster-5',
    ]);
    expect(new Set(presets.map((p) => p.id)).size).toBe(presets.length);
    for (const p of presets) {
      expect(p.format).toBe('centered');
      expect(p.system).toBe('schwartz-10');
      expect(Object.keys(p.values)).toEqual(TEN);
      expect(p.source).toMatch(/Value Portrait/);
      expect(p.description.length).toBeGreaterThan(40);
    }
  });

  it('every preset converts to every format, and each conversion keeps the order of its values', () => {
    for (const p of presets) {
      const ranking = convertProfile(p, 'ranking').ranking!;
      expect(ranking, p.id).toHaveLength(10);
      for (let i = 1; i < 10; i++)
        expect(p.values[ranking[i]!]!).toBeLessThanOrEqual(p.values[ranking[i - 1]!]!);
      for (const to of PROFILE_FORMATS) {
        const out = convertProfile(p, to);
        expect(out.format).toBe(to);
        if (to === 'ranking') continue;
        for (const a of TEN) {
          for (const b of TEN) {
            if (p.values[a]! > p.values[b]!)
              expect(out.values![a]!, `${p.id} ${to} ${a}>${b}`).toBeGreaterThan(out.values![b]!);
          }
        }
        // Preset figures stay within ±2.5, so nothing is clamped and the round trip is exact.
        expect(out.notes, p.id).toBeUndefined();
        const back = convertProfile({ format: to, values: out.values! }, 'centered').values!;
        for (const v of TEN) expect(back[v]!).toBeCloseTo(p.values[v]!, 9);
      }
    }
  });

  it('llm presets carry Value Portrait’s published centered means', () => {
    // gpt-4o-2024-05-13 from ValuePortrait lm_evaluation/misc/table_generator/pvq_values.txt (research/values.md §2.2).
    const gpt4o = getPreset('llm:gpt-4o-2024-05-13')!;
    const published = {
      universalism: 0.47,
      benevolence: 0.79,
      conformity: 0.15,
      tradition: -0.35,
      security: 0.32,
      power: -0.3,
      achievement: -0.41,
      hedonism: -0.22,
      stimulation: -0.06,
      self_direction: 0.62,
    };
    for (const [v, x] of Object.entries(published))
      expect(Math.abs(gpt4o.values[v]! - x), v).toBeLessThan(0.006);
    // claude-3-opus: security, benevolence and universalism on top (SE 0.79, BE 0.71, UN 0.61).
    const opus = getPreset('llm:claude-3-opus-20240229')!;
    expect(convertProfile(opus, 'ranking').ranking!.slice(0, 3)).toEqual([
      'security',
      'benevolence',
      'universalism',
    ]);
    // llama-3.1-8b-instruct is much flatter (all within ±0.2) than gpt-4o (up to 0.79).
    const spread = (id: string) => Math.max(...Object.values(getPreset(id)!.values).map(Math.abs));
    expect(spread('llm:llama-3.1-8b-instruct')).toBeLessThan(0.2);
    expect(spread('llm:llama-3.1-8b-instruct')).toBeLessThan(spread('llm:gpt-4o-2024-05-13') / 3);
  });

  it('human:mean is the sample mean profile (research/values.md §1a.4)', () => {
    const mean = getPreset('human:mean')!.values;
    const published = {
      benevolence: 0.59,
      universalism: 0.55,
      self_direction: 0.53,
      security: 0.34,
      tradition: 0.08,
      hedonism: -0.32,
      stimulation: -0.39,
      conformity: -0.4,
      achievement: -0.53,
      power: -0.73,
    };
    for (const [v, x] of Object.entries(published)) expect(Math.abs(mean[v]! - x), v).toBeLessThan(0.006);
  });

  it('clusters: sizes add up to 569, each described by its top and bottom values, distinct from each other', () => {
    const file = JSON.parse(readFileSync(join(presetsDir(), 'human.json'), 'utf8'));
    const sizes = file.provenance.clusters.map((c: { size: number }) => c.size);
    expect(sizes.reduce((s: number, x: number) => s + x, 0)).toBe(569);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
    const mean = getPreset('human:mean')!.values;
    const seen = new Set<string>();
    for (let k = 1; k <= 5; k++) {
      const p = getPreset(`human:cluster-${k}`)!;
      const ranking = convertProfile(p, 'ranking').ranking!;
      const summary = file.provenance.clusters[k - 1];
      expect(summary.top).toEqual(ranking.slice(0, 3));
      expect(summary.bottom).toEqual(ranking.slice(-2).reverse());
      expect(p.description).toMatch(
        /Top values: .*; bottom: .*\. Compared with the average person: higher on .*; lower on/,
      );
      // Each cluster stands out from the average person on a different leading value.
      const diff = Object.fromEntries(Object.entries(p.values).map(([v, x]) => [v, x - mean[v]!]));
      const lead = Object.entries(diff).sort((a, b) => b[1] - a[1])[0]![0];
      expect(seen.has(lead), lead).toBe(false);
      seen.add(lead);
    }
  });

  it('the rank curve in presets/human.json is the one the conversions use', () => {
    const file = JSON.parse(readFileSync(join(presetsDir(), 'human.json'), 'utf8'));
    expect(file.rankCurve).toEqual([...HUMAN_RANK_CURVE]);
  });

  it('getPreset: exact or case-insensitive id; unknown → undefined; returns copies', () => {
    expect(getPreset('HUMAN:MEAN')!.id).toBe('human:mean');
    expect(getPreset('llm:claude-3.7-sonnet:thinking')!.label).toMatch(/claude-3.7-sonnet:thinking/);
    expect(getPreset('llm:nope')).toBeUndefined();
    const a = getPreset('human:mean')!;
    a.values.power = 99;
    expect(getPreset('human:mean')!.values.power).not.toBe(99);
  });

  it('preset files are validated: a bad figure or a duplicate id is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'presets-'));
    const good = {
      id: 'human:x',
      label: 'x',
      description: 'd',
      system: 'schwartz-10',
      format: 'centered',
      values: { power: 1 },
      source: 's',
    };
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ presets: [good] }));
    expect(readPresets(dir).map((p) => p.id)).toEqual(['human:x']);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ presets: [good] }));
    expect(() => readPresets(dir)).toThrow(/"human:x" is used twice/);
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ presets: [{ ...good, id: 'human:y', format: 'likert5' }] }),
    );
    expect(() => readPresets(dir)).toThrow(/b\.json: not a preset file/);
  });
});

describe('human cluster labels', () => {
  it('say how the cluster differs from the average person, and the values they name do', () => {
    const mean = getPreset('human:mean')!.values;
    const byLabel = new Map(TEN.map((v) => [v.replace('_', '-'), v]));
    const clusters = presets.filter((p) => p.id.startsWith('human:cluster-'));
    expect(clusters).toHaveLength(5);
    for (const c of clusters) {
      const m = /^Human cluster \d: more ([a-z-]+) & ([a-z-]+), less ([a-z-]+) than the average person$/.exec(
        c.label,
      );
      expect(m, c.label).not.toBeNull();
      const diff = (name: string) => c.values[byLabel.get(name)!]! - mean[byLabel.get(name)!]!;
      expect(diff(m![1]!), c.label).toBeGreaterThan(0);
      expect(diff(m![2]!), c.label).toBeGreaterThan(0);
      expect(diff(m![3]!), c.label).toBeLessThan(0);
    }
    // Cluster 1, the example: its own top values are self-direction, benevolence, security
    // (+0.16, +0.12, +0.11), yet it is the cluster with more power and achievement than the mean.
    expect(getPreset('human:cluster-1')!.label).toBe(
      'Human cluster 1: more power & achievement, less universalism than the average person',
    );
  });
});
