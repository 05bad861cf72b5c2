/**
 * Answers regression: the counterfactual route's work (runCounterfactualRequest: units, engine,
 * structured action, explanation, records, notes) gives, bit for bit, the answers the engine gave
 * before its per-request cost was cut (issue 20). test/fixtures/counterfactual-golden.json holds the
 * SHA-256 digest of the JSON text of each answer to the 240 golden requests (counterfactual-requests.ts),
 * written by `tsx test/fixtures/counterfactual-golden-answers.ts <file>` on the engine of commit
 * 4ff05cc; JSON text pins every number exactly (shortest round-trip form).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digest, goldenAnswer } from '../fixtures/counterfactual-golden-answers.js';
import { goldenRequests } from '../fixtures/counterfactual-requests.js';

const expected = JSON.parse(
  readFileSync(new URL('../fixtures/counterfactual-golden.json', import.meta.url), 'utf8'),
) as string[];

describe('counterfactual answers, bit for bit', () => {
  it('every golden request gets the answer it got before', () => {
    const requests = goldenRequests();
    expect(requests).toHaveLength(expected.length);
    const changed = requests
      .map((r, i) => ({ i, r, d: digest(goldenAnswer(r)) }))
      .filter(({ i, d }) => d !== expected[i]);
    expect(changed.map(({ i, r }) => `${i}: ${JSON.stringify(r)}`)).toEqual([]);
  });

  it('the same request twice gets the same text (no state leaks between queries)', () => {
    const requests = goldenRequests().slice(0, 40);
    const first = requests.map(goldenAnswer);
    const again = [...requests].reverse().map(goldenAnswer).reverse();
    expect(again).toEqual(first);
  });
});
