/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are read loosely in these tests */
/**
 * Every graph of the catalogue, bundled or uploaded, works with POST /v1/align (no preset named),
 * /v1/attributions, /v1/profiles/convert and a batch, on a real listening server with the template
 * generator. When no preset is for the graph (the presets are for schwartz-10), the factual profile is
 * the graph's own population prior (`factual.kind: "prior"`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { output, pollStatus, submit } from '../batch/helpers.js';
import { twoValueGraph } from '../fixtures/toy-graphs.js';
import { BUNDLED_GRAPHS, startLive, type Live } from './helpers.js';

const QUESTION = 'Should I take the job abroad or stay near my family?';

/** A custom graph with its own value system: two values under one latent, a code on one of them. */
const CUSTOM = twoValueGraph('my-values', {
  valueSystem: {
    label: 'My values',
    higherOrder: [
      { id: 'go', label: 'Go', members: ['ambition'] },
      { id: 'hold', label: 'Hold', members: ['restraint'] },
    ],
    bipolar: [{ id: 'drive', label: 'Go ↔ Hold', positive: 'go', negative: 'hold' }],
  },
});
CUSTOM.nodes = CUSTOM.nodes.map((n) => (n.id === 'restraint' ? { ...n, code: 'RES' } : n));

/** A target on two values of each graph, named as a caller would (labels, codes). */
const TARGETS: Record<string, Record<string, number>> = {
  'schwartz-10': { Benevolence: 5, SE: 4 },
  'schwartz-19': { 'Benevolence–caring': 5, 'security societal': 2 },
  'mft-6': { care: 5, purity: 2 },
  'my-values': { Ambition: 5, RES: 1 },
};

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

let live: Live;
beforeAll(async () => {
  live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  const created = await post(`${live.url}/v1/graphs`, CUSTOM);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});
afterAll(() => live.close());

describe('every catalogue graph, no preset named', () => {
  for (const [graph, values] of Object.entries(TARGETS)) {
    it(`${graph}: POST /v1/align answers, with the default preset or the graph's prior as factual`, async () => {
      const { status, body } = await post(`${live.url}/v1/align`, {
        question: QUESTION,
        graph,
        target: { format: 'likert5', values },
      });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.graph.id).toBe(graph);
      expect(body.answer.length).toBeGreaterThan(0);
      if (graph === 'schwartz-10')
        expect(body.factual).toMatchObject({ kind: 'preset', preset: 'human:mean' });
      else expect(body.factual).toMatchObject({ kind: 'prior' });
      const set = body.explanation.values.filter((v: any) => v.target !== null);
      expect(set).toHaveLength(2);
    });

    it(`${graph}: POST /v1/attributions and /v1/profiles/convert take its values`, async () => {
      const attribution = await post(`${live.url}/v1/attributions`, { text: QUESTION, graph });
      expect(attribution.status, JSON.stringify(attribution.body)).toBe(200);
      expect(attribution.body.graph.id).toBe(graph);
      const converted = await post(`${live.url}/v1/profiles/convert`, {
        system: graph,
        profile: { format: 'likert5', values },
        to: 'ranking',
      });
      expect(converted.status, JSON.stringify(converted.body)).toBe(200);
      expect(converted.body.ranking).toHaveLength(2);
    });
  }

  it('a preset named for another graph is still refused, and says how to find this graph’s', async () => {
    const { status, body } = await post(`${live.url}/v1/align`, {
      question: QUESTION,
      graph: 'mft-6',
      target: { format: 'likert5', values: { care: 5 } },
      factual: { preset: 'human:mean' },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('UNKNOWN_PRESET');
    expect(body.error.message).toMatch(/not "mft-6".*presets\?system=mft-6/);
  });

  it('the prior factual is the graph’s own population mean: a target at the prior changes nothing set', async () => {
    // my-values: ambition and restraint have prior mean 0 (centered).
    const { body } = await post(`${live.url}/v1/align`, {
      question: QUESTION,
      graph: 'my-values',
      target: { format: 'centered', values: { ambition: 0 } },
      action: 'do',
    });
    const stim = body.explanation.values.find((v: any) => v.value === 'ambition');
    expect(stim.factual).toBeCloseTo(stim.counterfactual, 6);
  });

  it('a batch aligns on every catalogue graph without a preset', async () => {
    const lines = Object.entries(TARGETS).map(([graph, values]) =>
      JSON.stringify({
        custom_id: graph,
        url: '/v1/align',
        body: { question: QUESTION, graph, target: { format: 'likert5', values } },
      }),
    );
    const created = await submit(live.url, lines);
    expect(created.status).toBe(200);
    await pollStatus(live.url, created.json.id, (s) => s.status === 'completed', 60_000);
    const out = await output(live.url, created.json.id);
    expect(out.map((l) => [l.custom_id, l.response?.status_code])).toEqual(
      Object.keys(TARGETS).map((g) => [g, 200]),
    );
  });
});
