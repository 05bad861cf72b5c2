/**
 * Say what was set, suggest what was inferred: over the 15 eval target profiles (eval/profiles.json),
 * from the human mean and from an LLM preset, no value the caller did not set gets rubric level 1 or 5,
 * no latent moves beyond LATENT_MOVE_CAP prior sds, inferred values reach the prompt only when their
 * change is large against their posterior sd, and the latents keep a posterior sd.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { buildConditioning, INFERRED_HEADER, SET_HEADER } from '../../src/pipeline/conditioning.js';
import { computeProfile, LATENT_MOVE_CAP, SALIENT_LIKERT, SALIENT_SD } from '../../src/pipeline/profile.js';
import { priorMoments } from '../../src/scm/index.js';
import { getPreset, toCentered, type Profile } from '../../src/values/index.js';

const entry = loadGraphDir().get('schwartz-10')!;
const prior = priorMoments(entry.program);
const profiles = (
  JSON.parse(readFileSync(new URL('../../eval/profiles.json', import.meta.url), 'utf8')) as {
    profiles: Array<{ id: string; target: Profile }>;
  }
).profiles;
const starts = ['human:mean', 'llm:gpt-4o-mini-2024-07-18'];

describe('set values lead, inferred values are suggested (15 eval profiles × 2 factual presets)', () => {
  const cases = starts.flatMap((preset) =>
    profiles.map((p) => ({
      name: `${preset} → ${p.id}`,
      profile: computeProfile(entry, {
        factual: getPreset(preset)!.values,
        target: toCentered(p.target, 'schwartz-10'),
      }),
    })),
  );

  it('no value the caller did not set is at rubric level 1 or 5', () => {
    let inferred = 0;
    for (const { name, profile } of cases) {
      for (const v of profile.values.filter((x) => x.status === 'inferred')) {
        inferred++;
        expect(v.level, `${name} ${v.value}`).toBeGreaterThanOrEqual(2);
        expect(v.level, `${name} ${v.value}`).toBeLessThanOrEqual(4);
      }
    }
    expect(inferred).toBe(2 * 85); // 85 inferred values per preset, as in the count
  });

  it('no latent moves beyond the documented cap, and the archetypes reach it (the cap is not idle)', () => {
    let capped = 0;
    for (const { name, profile } of cases) {
      expect(profile.latents).toHaveLength(2);
      for (const l of profile.latents) {
        const sd = Math.sqrt(prior.variance[entry.program.index.get(l.node)!]!);
        expect(Math.abs(l.to - l.from), `${name} ${l.node}`).toBeLessThanOrEqual(LATENT_MOVE_CAP * sd + 1e-9);
        if (l.capped) capped++;
        // The latents keep a posterior sd: above zero, below their prior sd.
        expect(l.sd).toBeGreaterThan(0);
        expect(l.sd).toBeLessThan(sd);
      }
      if (profile.latents.some((l) => l.capped)) expect(profile.notes.join(' ')).toMatch(/capped/);
    }
    expect(capped).toBeGreaterThan(0);
  });

  it('the prompt leads with the set values and names only salient inferred ones, never at 1/5 or 5/5', () => {
    let shown = 0;
    let total = 0;
    for (const { name, profile } of cases) {
      const system = buildConditioning(profile, 'Should I take the job?').messages[0]!.content;
      const setAt = system.indexOf(SET_HEADER);
      expect(setAt, name).toBeGreaterThan(0);
      for (const v of profile.values) {
        if (v.status === 'set') {
          expect(system).toContain(`- ${v.label} — ${v.level}/5: `);
          continue;
        }
        total++;
        const change = Math.abs(v.counterfactual - v.factual);
        expect(v.salient).toBe(change >= SALIENT_SD * v.sd && change / 1.25 >= SALIENT_LIKERT);
        expect(system).not.toContain(`${v.label} — `); // no "/5" level line for an inferred value
        if (v.salient) {
          shown++;
          expect(system.indexOf(`- ${v.label}: probably`)).toBeGreaterThan(system.indexOf(INFERRED_HEADER));
          expect(system.indexOf(INFERRED_HEADER)).toBeGreaterThan(setAt);
        } else expect(system).not.toContain(`- ${v.label}:`);
      }
    }
    // Measured: 41 of the 170 inferred values are salient enough to be named (21 from the human mean).
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(total / 2);
  });
});
