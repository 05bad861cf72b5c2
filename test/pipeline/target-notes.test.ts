import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/graphs/registry.js';
import { oppositePairs, targetNotes } from '../../src/pipeline/target-notes.js';
import { graph } from '../attribution/helpers.js';
import { twoValueGraph } from '../fixtures/toy-graphs.js';

describe('opposite values, from the graph’s bipolar axes', () => {
  it('pairs the poles of the axes schwartz-10 declares (valueSystem.bipolar and its higher-order groups)', () => {
    // graphs/schwartz-10.json: openness_conservation has openness_to_change (self_direction, stimulation,
    // hedonism) at its positive pole and conservation (security, conformity, tradition) at its negative;
    // transcendence_enhancement has self_transcendence (benevolence, universalism) against
    // self_enhancement (achievement, power).
    const pairs = oppositePairs(graph('schwartz-10')).map((p) => `${p.positive} ↔ ${p.negative}`);
    const openness = ['self_direction', 'stimulation', 'hedonism'].flatMap((p) =>
      ['security', 'conformity', 'tradition'].map((q) => `${p} ↔ ${q}`),
    );
    const transcendence = ['benevolence', 'universalism'].flatMap((p) =>
      ['achievement', 'power'].map((q) => `${p} ↔ ${q}`),
    );
    expect(pairs.sort()).toEqual([...openness, ...transcendence].sort());
    expect(new Set(oppositePairs(graph('schwartz-10')).map((p) => p.axis))).toEqual(
      new Set(['Openness to change ↔ Conservation', 'Self-transcendence ↔ Self-enhancement']),
    );
  });

  it('reads a graph that declares no axes from its loadings: ambition (+0.8) and restraint (−0.6) on drive', () => {
    const entry = makeEntry(twoValueGraph('two-notes'));
    expect(entry.system.bipolar).toEqual([]);
    expect(oppositePairs(entry)).toEqual([{ positive: 'ambition', negative: 'restraint', axis: 'Drive' }]);
    // Two values both at 5 are every value at one level: that note, not the opposites'.
    expect(targetNotes(entry, { ambition: 5, restraint: 5 })).toEqual([
      expect.stringMatching(/^every value of two-notes is set to 5/),
    ]);
  });
});

describe('targetNotes', () => {
  const s10 = graph('schwartz-10');
  const all = (level: number) =>
    Object.fromEntries(s10.file.nodes.filter((n) => n.kind === 'value').map((n) => [n.id, level]));

  it('warns when all ten values are set to 5 (no priorities), and names the way out', () => {
    const notes = targetNotes(s10, all(5));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^every value of schwartz-10 is set to 5: .* all 10 values alike has no priorities/,
    );
    expect(notes[0]).toContain('"ranking"');
    // The same for any single level, but not when one value differs or one is left out.
    expect(targetNotes(s10, all(3))[0]).toMatch(/is set to 3/);
    // Nine at 5 and power at 4: no "every value" note, but the opposite pairs at 5 are still named
    // (9 openness–conservation pairs and 2 of the 4 transcendence–enhancement ones: those without power).
    const nearly = targetNotes(s10, { ...all(5), power: 4 });
    expect(nearly.some((n) => n.startsWith('every value'))).toBe(false);
    expect(nearly).toHaveLength(11);
    const nine = all(5);
    delete nine.power;
    expect(targetNotes(s10, nine).some((n) => n.startsWith('every value'))).toBe(false);
  });

  it('warns about power and universalism both at 5, naming the axis', () => {
    const notes = targetNotes(s10, { power: 5, universalism: 5 });
    expect(notes).toEqual([
      expect.stringMatching(
        /^Universalism and Power are both set to 5, but they sit on opposite sides of the value circle \(Self-transcendence ↔ Self-enhancement\)/,
      ),
    ]);
  });

  it('one note per opposite pair at 5; nothing for neighbours, for one pole below 5, or a lone value', () => {
    const notes = targetNotes(s10, { power: 5, universalism: 5, benevolence: 5, tradition: 5, hedonism: 5 });
    // universalism–power, benevolence–power, hedonism–tradition (openness against conservation).
    expect(notes).toHaveLength(3);
    expect(notes.join('\n')).toContain('Hedonism and Tradition');
    expect(notes.join('\n')).toContain('Benevolence and Power');
    expect(targetNotes(s10, { benevolence: 5, universalism: 5 })).toEqual([]);
    expect(targetNotes(s10, { power: 4, universalism: 5 })).toEqual([]);
    expect(targetNotes(s10, { power: 5 })).toEqual([]);
  });
});
