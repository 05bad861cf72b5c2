/**
 * `npm run examples:decisions`: write schemas/examples/decisions.json, the request and response examples
 * of POST /v1/decisions in openapi.yaml, by sending each request example to the real app (bundled
 * graphs, embedded mode). test/http/examples.test.ts checks that they stay true; rerun it (then
 * `npm run openapi`) after the value detector or graphs/valuepilot-6.json change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { packageRoot } from '../src/graphs/registry.js';
import { buildApp } from '../src/http/app.js';

const SCENARIO =
  'You and your flatmate come home thirsty from a long walk. One bottle of cold lemonade is left in the fridge you share.';
const ACTIONS = [
  'Drink it all without asking',
  'Pour two glasses and share it equally',
  'Go out and buy another bottle for both of you',
];

const requests = {
  fairness: {
    summary: 'A full ValuePilot profile (likert5 = 1 + 4 × the 0–1 score), weighted sum',
    value: {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: {
        format: 'likert5',
        values: { curiosity: 2.2, energy: 2.6, safety: 3.4, happiness: 3, intimacy: 4.2, fairness: 4.6 },
      },
      graph: 'valuepilot-6',
    },
  },
  partial: {
    summary: 'A partial target completed by the structured action, PROMETHEE II',
    value: {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: { values: { happiness: 5, fairness: 1 } },
      graph: 'valuepilot-6',
      method: 'promethee',
    },
  },
};

const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { logger: false });
const out: Record<string, Record<string, { summary: string; value: unknown }>> = {
  decisionRequest: requests,
  decisionResponse: {},
};
for (const [name, ex] of Object.entries(requests)) {
  const res = await app.inject({ method: 'POST', url: '/v1/decisions', payload: ex.value });
  if (res.statusCode !== 200) throw new Error(`example ${name}: ${res.statusCode} ${res.body}`);
  out.decisionResponse![name] = { summary: ex.summary, value: res.json() };
}
await app.close();
const target = join(packageRoot(), 'schemas', 'examples', 'decisions.json');
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${target}`);
