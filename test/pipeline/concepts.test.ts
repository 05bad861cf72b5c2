/**
 * Concepts for this question (conceptsForQuestion): the profile says which concepts are favoured, the
 * question (read by the learned value detector) says which of them it is about. Run over the repo's
 * evaluation data: the 60 questions of eval/questions.json (each tagged with the values it touches) and
 * the 15 target profiles of eval/profiles.json, from the human mean.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { conceptsForQuestion, isEpistemic, questionRelevance } from '../../src/pipeline/concepts.js';
import { cachedProfile, computeProfile } from '../../src/pipeline/profile.js';
import { getPreset, toCentered, type Profile } from '../../src/values/index.js';

const entry = loadGraphDir().get('schwartz-10')!;
const factual = getPreset('human:mean')!.values;
const questions = (
  JSON.parse(readFileSync(new URL('../../eval/questions.json', import.meta.url), 'utf8')) as {
    questions: Array<{ id: string; text: string; values: string[] }>;
  }
).questions;
const profiles = (
  JSON.parse(readFileSync(new URL('../../eval/profiles.json', import.meta.url), 'utf8')) as {
    profiles: Array<{ id: string; target: Profile }>;
  }
).profiles;

describe('conceptsForQuestion', () => {
  const target = toCentered({ format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } });
  const profile = cachedProfile(entry, { factual, target });
  const lend = 'Should I lend money to my brother?';
  const traffic = 'How should cities reduce traffic?';

  it('gives two questions different concepts, each led by one more relevant to its own question', () => {
    const a = conceptsForQuestion(profile.cues, lend, profile.limits);
    const b = conceptsForQuestion(profile.cues, traffic, profile.limits);
    expect(a.express.map((c) => c.concept)).not.toEqual(b.express.map((c) => c.concept));
    const rel = (q: string) => {
      const r = questionRelevance(profile.cues, q).relevance;
      return new Map(profile.cues.map((c, i) => [c.concept, r[i]!]));
    };
    const [ra, rb] = [rel(lend), rel(traffic)];
    expect(ra.get(a.express[0]!.concept)!).toBeGreaterThan(rb.get(a.express[0]!.concept)!);
    expect(rb.get(b.express[0]!.concept)!).toBeGreaterThan(ra.get(b.express[0]!.concept)!);
    // Money: a money concept the profile favours (security 4) comes first; traffic: the environment.
    expect(a.express[0]!.label).toBe('Have no debts');
    expect(b.express[0]!.label).toBe('Be protecting the environment');
    // Every concept listed is still one the profile favours / disfavours.
    for (const c of [...a.express, ...b.express]) expect(c.z).toBeGreaterThan(0.3);
    for (const c of [...a.avoid, ...b.avoid]) expect(c.z).toBeLessThan(-0.3);
  });

  it('breaks ties between concepts of one value without the alphabet', () => {
    // Without a question all concepts of a value tie on z: the commoner concept (detector prior) leads.
    const blind = conceptsForQuestion(profile.cues, '', profile.limits);
    const benevolence = blind.express.filter((c) => c.values[0] === 'benevolence').map((c) => c.label);
    expect(benevolence).toHaveLength(2);
    expect(benevolence).not.toEqual(
      profile.cues
        .filter((c) => c.values[0] === 'benevolence')
        .map((c) => c.label)
        .sort()
        .slice(0, 2),
    );
  });

  it('over the 60 eval questions × 15 eval profiles: question-specific, on topic, never avoiding an epistemic virtue', () => {
    let onTopic = 0;
    let onTopicBlind = 0;
    let pairs = 0;
    for (const p of profiles) {
      const prof = computeProfile(entry, { factual, target: toCentered(p.target, 'schwartz-10') });
      const blind = conceptsForQuestion(prof.cues, '', prof.limits);
      const lists = new Set<string>();
      for (const q of questions) {
        const c = conceptsForQuestion(prof.cues, q.text, prof.limits);
        for (const a of c.avoid) expect(isEpistemic(a), `${p.id} ${q.id} avoids ${a.label}`).toBe(false);
        lists.add(c.express.map((x) => x.concept).join());
        pairs++;
        if (c.express.some((x) => x.values.some((v) => q.values.includes(v)))) onTopic++;
        if (blind.express.some((x) => x.values.some((v) => q.values.includes(v)))) onTopicBlind++;
      }
      // The questions get different concepts (measured: 27 to 60 distinct lists of 60 per profile).
      expect(lists.size, p.id).toBeGreaterThanOrEqual(20);
    }
    expect(pairs).toBe(900);
    // Expressed concepts fall on a value the question is tagged with more often than a question-blind
    // choice (measured: 732 vs 678 of 900).
    expect(onTopic).toBeGreaterThan(onTopicBlind);
  });

  it('never lists an epistemic virtue to avoid, even for a profile that lowers its value', () => {
    // Universalism (logical, objective view) and achievement (capable, intellectual) at 1.
    const low = toCentered({ format: 'likert5', values: { universalism: 1, achievement: 1, tradition: 5 } });
    const prof = computeProfile(entry, { factual, target: low });
    const disfavoured = prof.cues.filter((c) => c.z < -0.3 && isEpistemic(c)).map((c) => c.label);
    expect(disfavoured).toEqual(expect.arrayContaining(['Be logical', 'Have an objective view']));
    for (const q of [
      'Is it rational to trust experts?',
      'How do I judge a scientific claim objectively?',
      '',
    ]) {
      const { avoid } = conceptsForQuestion(prof.cues, q, { maxExpress: 6, maxAvoid: 20 });
      expect(avoid.length).toBeGreaterThan(0);
      for (const a of avoid) expect(isEpistemic(a)).toBe(false);
    }
  });

  it('falls back to the graph phrases when no detector covers the concepts', () => {
    const cues = profile.cues.map((c) => ({ ...c, label: `x ${c.label}` }));
    const r = questionRelevance(cues, 'I want to be forgiving to my sister', null).relevance;
    const hit = cues.findIndex((c) =>
      c.phrases.some((ph) => 'i want to be forgiving to my sister'.includes(ph)),
    );
    expect(hit).toBeGreaterThanOrEqual(0);
    expect(r[hit]).toBe(1);
    expect([...r].filter((x) => x > 0).length).toBeLessThan(cues.length);
  });
});
