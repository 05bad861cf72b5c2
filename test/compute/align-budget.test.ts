/**
 * The work budget of alignments (src/compute/profile-budget.ts), against a real server process: an
 * uploaded 1,000-node value graph aligned on 600 target values (a ~4.6 s structured profile on the
 * event loop before) ends within about the budget with 422 WORK_BUDGET_EXCEEDED naming the graph, in
 * `POST /v1/align` and in a batch line alike, while /healthz keeps answering; a profile over the inline
 * threshold but within the budget is computed on a worker and gives the engine's numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/graphs/registry.js';
import { computeProfile } from '../../src/pipeline/profile.js';
import {
  healthzLatencies,
  percentile,
  pollStatus,
  submit,
  output,
  tempDataDir,
  removeDataDirs,
} from '../batch/helpers.js';
import { killAll, startServer, type Proc } from '../fixtures/server-process.js';
import { valueGraph } from './graphs.js';

/** The budget is 1 s; the bound leaves room for a loaded 2-core machine (see budget.test.ts). */
const WALL_MS = 5000;

let server: Proc;
beforeAll(async () => {
  server = await startServer({
    DATA_DIR: tempDataDir('pluralign-align-budget-'),
    COUNTERFACTUAL_BUDGET_MS: '1000',
    COUNTERFACTUAL_WORKERS: '2',
    // Every profile above 1,000 node evaluations runs on a worker (the default is 200,000), so that a
    // small graph tests the worker's numbers without taking a loaded machine's second to compute.
    COUNTERFACTUAL_INLINE_WORK: '1000',
  });
  for (const graph of [valueGraph(400, 600, 'huge-values'), valueGraph(10, 20, 'mid-values')]) {
    const res = await fetch(`${server.url}/v1/graphs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(graph),
    });
    expect(res.status, await res.text()).toBe(201);
  }
  // Warm a worker on the small graph (module load, JIT, graph compile), so that the next test's
  // 1 s budget measures the computation, not a cold start on a loaded machine. Its answer is not used.
  await align({
    question: 'Should I take the job abroad?',
    graph: 'mid-values',
    target: { format: 'likert5', values: likert(10) },
  });
}, 120_000);
afterAll(() => {
  killAll();
  removeDataDirs();
});

const likert = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, j) => [`v${j}`, 1 + (j % 5)]));

async function align(body: unknown) {
  const res = await fetch(`${server.url}/v1/align`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as AlignAnswer };
}

interface AlignAnswer {
  error: { code: string; message: string };
  explanation: { values: Array<{ value: string; centered: { counterfactual: number } }> };
}

describe('alignments have the work budget of counterfactuals', () => {
  it('a profile over COUNTERFACTUAL_INLINE_WORK but within the budget is computed on a worker, with the engine numbers', async () => {
    // 30 nodes: ~3,400 estimated node evaluations > COUNTERFACTUAL_INLINE_WORK (1,000 here).
    const r = await align({
      question: 'Should I take the job abroad?',
      graph: 'mid-values',
      target: { format: 'likert5', values: likert(10) },
    });
    expect(r.status, JSON.stringify(r.json).slice(0, 300)).toBe(200);
    const entry = makeEntry(valueGraph(10, 20, 'mid-values'), 'stored');
    const byValue = new Map(r.json.explanation.values.map((v) => [v.value, v]));
    // The factual profile is the graph's prior (no preset for it); the engine's own profile, here:
    const factual = Object.fromEntries(
      entry.program.ids.filter((_, i) => entry.program.kinds[i] === 'value').map((id) => [id, 0]),
    );
    const expected = computeProfile(entry, {
      factual,
      target: Object.fromEntries(Object.entries(likert(10)).map(([k, v]) => [k, (v - 3) * 1.25])),
    });
    expect(byValue.size).toBe(20);
    for (const v of expected.values.slice(0, 20)) {
      expect(byValue.get(v.value)!.centered.counterfactual).toBeCloseTo(v.counterfactual, 3);
    }
  }, 120_000);

  it('600 targets on an uploaded 1,000-node graph: 422 WORK_BUDGET_EXCEEDED within seconds, /healthz answering', async () => {
    const body = {
      question: 'Should I take the job abroad?',
      graph: 'huge-values',
      target: { format: 'likert5', values: likert(600) },
    };
    let done = false;
    const t0 = performance.now();
    const request = align(body).finally(() => (done = true));
    const latencies = await healthzLatencies(server.url, () => done, 10);
    const r = await request;
    const ms = performance.now() - t0;
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('WORK_BUDGET_EXCEEDED');
    expect(r.json.error.message).toContain('graph "huge-values"');
    expect(ms).toBeLessThan(WALL_MS + 30_000); // the first job also waits for the workers to load
    expect(latencies.length).toBeGreaterThan(0);
    expect(percentile(latencies, 50)).toBeLessThan(100);

    // Again, with the workers loaded: within the wall bound.
    const t1 = performance.now();
    const again = await align(body);
    expect(again.status).toBe(422);
    expect(performance.now() - t1).toBeLessThan(WALL_MS);
  }, 120_000);

  it('a batch line on the huge graph fails alone with 422 WORK_BUDGET_EXCEEDED; the others succeed', async () => {
    const lines = [
      {
        custom_id: 'small',
        url: '/v1/align',
        body: { question: 'q', target: { format: 'likert5', values: { benevolence: 5 } } },
      },
      {
        custom_id: 'huge',
        url: '/v1/align',
        body: { question: 'q', graph: 'huge-values', target: { format: 'likert5', values: likert(600) } },
      },
    ].map((l) => JSON.stringify(l));
    const created = await submit(server.url, lines);
    expect(created.status).toBe(200);
    await pollStatus(server.url, created.json.id, (s) => s.status === 'completed', 60_000);
    const out = await output(server.url, created.json.id);
    const byId = new Map(out.map((l) => [l.custom_id, l]));
    expect(byId.get('small')!.response!.status_code).toBe(200);
    expect(byId.get('huge')!.response!.status_code).toBe(422);
    expect(byId.get('huge')!.error!.code).toBe('WORK_BUDGET_EXCEEDED');
  }, 120_000);
});
