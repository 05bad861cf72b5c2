/**
 * A typed client generated from openapi.yaml (openapi-typescript + openapi-fetch) compiles under
 * strict TypeScript, refuses ill-typed calls, and calls every operation against a live server.
 * Everything is generated in a temporary folder (nothing is written to the repository).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_GRAPHS, ROOT, startLive, type Live } from './helpers.js';

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

const CLIENT = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Inline = components['schemas']['GraphDefinitionInput'];

const EXAMPLE: Inline = {
  id: 'tiny',
  version: '1',
  nodes: [
    { id: 'a', kind: 'latent', label: 'A', mechanism: { type: 'root', mean: 0, sd: 1 } },
    { id: 'b', kind: 'value', label: 'B', mechanism: { type: 'linear', intercept: 0, coefficients: { a: 2 }, noiseSd: 1 } },
  ],
  edges: [['a', 'b']],
};

export async function callEveryOperation(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  const out: Record<string, unknown> = {};

  const health = await client.GET('/healthz');
  out.getHealth = health.data?.status;

  const ready = await client.GET('/readyz');
  out.getReadiness = ready.data?.graphs.map((g) => g.id);

  const spec = await client.GET('/openapi.json');
  out.getOpenApi = spec.data?.openapi;

  const metrics = await client.GET('/metrics', { parseAs: 'text' });
  const text: string | undefined = metrics.data;
  out.getMetrics = { status: metrics.response.status, type: metrics.response.headers.get('content-type'), healthz: (text ?? '').includes('pluralign_http_requests_total{method="GET",route="/healthz",status="200"} 1') };

  const graphs = await client.GET('/v1/graphs');
  out.listGraphs = graphs.data?.graphs.map((g) => ({ id: g.id, values: g.nodes.value }));

  const graph = await client.GET('/v1/graphs/{id}', { params: { path: { id: 'schwartz-10' } } });
  out.getGraph = graph.data ? { hash: graph.data.hash, nodes: graph.data.definition.nodes.length } : graph.error;

  const missing = await client.GET('/v1/graphs/{id}', { params: { path: { id: 'nope' } } });
  const code: string | undefined = missing.error?.error.code;
  out.getGraphMissing = { status: missing.response.status, code };

  const single = await client.POST('/v1/counterfactuals', {
    body: {
      graph: 'schwartz-10',
      evidence: { benevolence: 0.8, power: -1.2 },
      interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
      explain: 'summary',
    },
  });
  if (single.data && 'result' in single.data) {
    const r = single.data.result;
    out.runCounterfactuals = {
      stimulation: r.counterfactual['stimulation'],
      sd: r.counterfactualSd?.['universalism'],
      latents: r.structured?.latents.map((l) => l.node),
      explained: r.explanation?.nodes.length,
    };
  }

  const batch = await client.POST('/v1/counterfactuals', {
    body: { graph: EXAMPLE, queries: [{ evidence: { a: 1, b: 2 }, interventions: [{ node: 'a', type: 'do', value: 2 }] }, { evidence: { c: 1 } }], explain: 'none' },
  });
  if (batch.data && 'results' in batch.data) {
    out.runCounterfactualsBatch = batch.data.results.map((item) => (item.ok ? item.result.counterfactual['b'] : item.error.code));
  }

  const bad = await client.POST('/v1/counterfactuals', { body: { graph: 'schwartz-10', evidence: { nope: 1 } } });
  out.runCounterfactualsError = { status: bad.response.status, code: bad.error?.error.code, path: bad.error?.error.details[0]?.path };

  const presets = await client.GET('/v1/presets', { params: { query: { system: 'schwartz-10' } } });
  out.listPresets = presets.data?.presets.some((p) => p.id === 'human:mean');

  const converted = await client.POST('/v1/profiles/convert', {
    body: { profile: { format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } }, to: 'ranking' },
  });
  out.convertProfile = converted.data?.ranking;

  return out;
}

const result = await callEveryOperation(process.argv[2]!);
process.stdout.write(JSON.stringify(result));
`;

/** Calls the typed client must refuse: each line alone makes tsc fail. */
const ILL_TYPED = [
  `await client.POST('/v1/counterfactuals', { body: { graph: 'schwartz-10', interventions: [{ node: 'x', type: 'set', value: 1 }] } });`,
  `await client.POST('/v1/counterfactuals', { body: { evidence: {} } });`,
  `await client.GET('/v1/graphs/{id}', { params: { path: { name: 'x' } } });`,
  `await client.POST('/v1/profiles/convert', { body: { profile: { format: 'likert7' }, to: 'ranking' } });`,
  `const r = await client.GET('/v1/graphs'); const n: string = r.data!.graphs[0]!.edges;`,
];

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    outDir: 'out',
  },
};

describe('a typed client generated from openapi.yaml', () => {
  let dir: string;
  let live: Live;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pluralign-client-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(async () => {
    await live?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates, compiles and calls every operation', async () => {
    const gen = spawnSync(
      bin('openapi-typescript'),
      [join(ROOT, 'openapi.yaml'), '-o', join(dir, 'api.ts'), '--default-non-nullable', 'false'],
      { encoding: 'utf8' },
    );
    expect(gen.status, gen.stderr).toBe(0);

    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ ...TSCONFIG, include: ['api.ts', 'client.ts'] }),
    );
    const tsc = spawnSync(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', cwd: dir });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);

    // Not spawnSync: the server answering the client runs in this process.
    const run = await promisify(execFile)(process.execPath, [join(dir, 'out', 'client.js'), live.url], {
      encoding: 'utf8',
    });
    const out = JSON.parse(run.stdout) as {
      getHealth: string;
      getReadiness: string[];
      getOpenApi: string;
      getMetrics: { status: number; type: string; healthz: boolean };
      listGraphs: Array<{ id: string; values: number }>;
      getGraph: { hash: string; nodes: number };
      getGraphMissing: unknown;
      runCounterfactuals: { stimulation: number; sd: number; latents: string[]; explained: number };
      runCounterfactualsBatch: [number, string];
      runCounterfactualsError: unknown;
      listPresets: boolean;
      convertProfile: string[];
    };

    expect(out.getHealth).toBe('ok');
    expect(out.getReadiness).toEqual(['mft-6', 'schwartz-10', 'schwartz-19', 'valuepilot-6']);
    expect(out.getOpenApi).toBe('3.1.0');
    expect(out.getMetrics).toEqual({
      status: 200,
      type: 'text/plain; version=0.0.4; charset=utf-8',
      healthz: true,
    });
    expect(out.listGraphs).toContainEqual({ id: 'schwartz-10', values: 10 });
    expect(out.getGraph.nodes).toBe(66);
    expect(out.getGraph.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(out.getGraphMissing).toEqual({ status: 404, code: 'UNKNOWN_GRAPH' });
    expect(out.runCounterfactuals.stimulation).toBe(1);
    expect(out.runCounterfactuals.sd).toBeGreaterThan(0);
    expect(out.runCounterfactuals.latents).toEqual(['openness_conservation', 'transcendence_enhancement']);
    expect(out.runCounterfactuals.explained).toBeGreaterThan(0);
    expect(out.runCounterfactualsBatch[0]).toBeCloseTo(4, 12); // b = 2a + u, u = 0, a := 2
    expect(out.runCounterfactualsBatch[1]).toBe('UNKNOWN_NODE');
    expect(out.runCounterfactualsError).toEqual({ status: 400, code: 'UNKNOWN_NODE', path: 'evidence.nope' });
    expect(out.listPresets).toBe(true);
    expect(out.convertProfile).toEqual(['security', 'benevolence', 'stimulation']);
  });

  it('refuses ill-typed calls at compile time (each on its own line)', () => {
    const files = ILL_TYPED.map((line, i) => {
      const file = `bad-${i}.ts`;
      writeFileSync(
        join(dir, file),
        `import createClient from 'openapi-fetch';\nimport type { paths } from './api.js';\nconst client = createClient<paths>({ baseUrl: 'http://x' });\n${line}\nexport {};\n`,
      );
      return file;
    });
    writeFileSync(
      join(dir, 'tsconfig.bad.json'),
      JSON.stringify({
        ...TSCONFIG,
        compilerOptions: { ...TSCONFIG.compilerOptions, noEmit: true },
        include: ['api.ts', ...files],
      }),
    );
    const tsc = spawnSync(bin('tsc'), ['-p', join(dir, 'tsconfig.bad.json')], { encoding: 'utf8', cwd: dir });
    expect(tsc.status).not.toBe(0);
    for (const file of files) {
      // The error is on the ill-typed line (line 4), and nowhere else in the file.
      expect(tsc.stdout, file).toMatch(new RegExp(`${file}\\(4,\\d+\\): error TS`));
      expect(tsc.stdout, file).not.toMatch(new RegExp(`${file}\\([1235],`));
    }
    expect(tsc.stdout).not.toMatch(/api\.ts\(/);
  });
});
