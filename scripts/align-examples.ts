/**
 * `npm run examples:align`: write schemas/examples/align.json, the request and response examples of the
 * alignment routes in openapi.yaml, by sending each request example to the real app (template
 * generator, bundled graphs). test/http/examples.test.ts checks that they stay true.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { packageRoot } from '../src/graphs/registry.js';
import { buildApp } from '../src/http/app.js';

const requests = {
  align: {
    summary: 'Benevolence 5, security 4, stimulation 1 (likert5), with verification',
    value: {
      question: 'Should I lend money to my brother who keeps losing his jobs?',
      target: { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } },
      verify: true,
    },
  },
  ranking: {
    summary: 'A ranking target, plain do() action, from a backend model’s default profile',
    value: {
      question: 'Is it worth leaving a stable job to start a company?',
      target: { format: 'ranking', ranking: ['self_direction', 'achievement', 'security'] },
      factual: { preset: 'llm:gpt-4o-2024-08-06' },
      action: 'do',
    },
  },
};

const attribution = {
  text: {
    summary: 'The phrase detector on a short text',
    value: {
      text: 'Family comes first: I would help my brother and forgive him, because caring for the people close to me matters more than money.',
    },
  },
};

const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { logger: false });
const out: Record<string, Record<string, { summary: string; value: unknown }>> = {
  alignRequest: requests,
  alignResponse: {},
  attributionRequest: attribution,
  attributionResponse: {},
};
for (const [name, ex] of Object.entries(requests)) {
  const res = await app.inject({ method: 'POST', url: '/v1/align', payload: ex.value });
  if (res.statusCode !== 200) throw new Error(`example ${name}: ${res.statusCode} ${res.body}`);
  out.alignResponse![name] = { summary: ex.summary, value: res.json() };
}
for (const [name, ex] of Object.entries(attribution)) {
  const res = await app.inject({ method: 'POST', url: '/v1/attributions', payload: ex.value });
  if (res.statusCode !== 200) throw new Error(`example ${name}: ${res.statusCode} ${res.body}`);
  out.attributionResponse![name] = { summary: ex.summary, value: res.json() };
}
await app.close();
const target = join(packageRoot(), 'schemas', 'examples', 'align.json');
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${target}`);
