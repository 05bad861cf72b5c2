/** The `pluralign` CLI: counterfactual and fit commands, help, exit codes. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands, main } from '../../src/cli/index.js';
import { chainGraph } from '../fixtures/toy-graphs.js';
import { startLive } from '../http/helpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'pluralign-cli-'));
const graphPath = join(dir, 'chain.json');
writeFileSync(graphPath, JSON.stringify(chainGraph(true)));

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

describe('pluralign counterfactual', () => {
  it('prints the counterfactual of the chain3 fixture as JSON', async () => {
    const code = await main([
      'counterfactual',
      '--graph',
      graphPath,
      '--evidence',
      '{"X":1,"Y":4,"Z":12}',
      '--interventions',
      '{"X":2}',
      '--compact',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    expect(json.result.counterfactual).toEqual({ X: 2, Y: 6, Z: 18 });
    expect(json.graph).toMatchObject({ id: 'chain', version: '1', source: 'inline' });
    expect(json.result.evidence).toBe('full');
  });

  it('takes a batch of queries from a file, with explanations', async () => {
    const file = join(dir, 'queries.json');
    writeFileSync(
      file,
      JSON.stringify([
        { evidence: { X: 1, Y: 4, Z: 12 }, interventions: [{ node: 'Y', type: 'shift', value: 1 }] },
        { evidence: { Z: 12 }, interventions: [{ node: 'X', type: 'do', value: 0 }] },
      ]),
    );
    const code = await main(['counterfactual', '--graph', graphPath, '--queries', `@${file}`, '--explain']);
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    expect(json.results).toHaveLength(2);
    expect(json.results.map((r: { index: number; ok: boolean }) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(json.results[0].result.counterfactual.Z).toBeCloseTo(15, 12);
    expect(json.results[1].result.evidence).toBe('partial');
    expect(json.results[1].result.counterfactualSd.Z).toBeGreaterThan(0);
    expect(json.results[0].result.explanation.method).toBe('path-products');
  });

  it('exits 3 with a message naming the node on an unknown node, 2 on a usage error', async () => {
    expect(await main(['counterfactual', '--graph', graphPath, '--evidence', '{"Q":1}'])).toBe(3);
    expect(err.join('\n')).toMatch(/unknown node "Q"/);
    expect(await main(['counterfactual', '--evidence', '{}'])).toBe(2);
    expect(err.join('\n')).toMatch(/--graph is required/);
    expect(await main(['counterfactual', '--graph', graphPath, '--evidence', '{not json'])).toBe(3);
    expect(err.join('\n')).toMatch(/--evidence: not valid JSON/);
    expect(await main(['counterfactual', '--graph', 'no-such-graph', '--evidence', '{}'])).toBe(3);
    expect(err.join('\n')).toMatch(/no graph "no-such-graph"/);
    expect(await main(['nonsense'])).toBe(2);
  });

  it('validates interventions with the API schema, naming the flag and the path', async () => {
    const bad = '[{"node": "X", "type": "jump", "value": 1}]';
    expect(
      await main(['counterfactual', '--graph', graphPath, '--evidence', '{}', '--interventions', bad]),
    ).toBe(3);
    expect(err.join('\n')).toMatch(/--interventions\[0\]\.type: .*"do"\|"shift"\|"structured"/);
  });

  it('prints what POST /v1/counterfactuals answers for the same query (same use case, same shape)', async () => {
    const query = {
      evidence: { X: 1, Z: 12 },
      interventions: [{ node: 'Y', type: 'shift', value: 1 }],
    };
    const args = [
      '--evidence',
      JSON.stringify(query.evidence),
      '--interventions',
      JSON.stringify(query.interventions),
    ];
    expect(await main(['counterfactual', '--graph', graphPath, ...args, '--compact'])).toBe(0);
    const cli = JSON.parse(out.join(''));
    const live = await startLive();
    try {
      const res = await fetch(`${live.url}/v1/counterfactuals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          graph: JSON.parse(readFileSync(graphPath, 'utf8')),
          ...query,
          explain: 'none',
        }),
      });
      expect(res.status).toBe(200);
      const api = (await res.json()) as { graph: unknown; result: unknown };
      expect(cli).toEqual(api);
    } finally {
      await live.close();
    }
  });
});

describe('pluralign fit', () => {
  it('fits the chain from a table and writes the fitted graph', async () => {
    const data = join(dir, 'data.json');
    const rows = Array.from({ length: 50 }, (_, i) => {
      const x = Math.sin(i);
      const y = 1 + 2 * x + 0.1 * Math.cos(3 * i);
      return { X: x, Y: y, Z: -0.5 + 3 * y + 0.1 * Math.sin(7 * i) };
    });
    writeFileSync(data, JSON.stringify(rows));
    const outFile = join(dir, 'fitted.json');
    expect(await main(['fit', '--graph', graphPath, '--data', data, '--out', outFile])).toBe(0);
    const report = JSON.parse(out.join(''));
    const y = report.fits.find((f: { node: string }) => f.node === 'Y');
    expect(y.coefficients.X).toBeCloseTo(2, 1);
    expect(y.r2).toBeGreaterThan(0.95);
    const fitted = JSON.parse(readFileSync(outFile, 'utf8'));
    expect(fitted.nodes.find((n: { id: string }) => n.id === 'Z').mechanism.coefficients.Y).toBeCloseTo(3, 1);
  });
});

describe('help', () => {
  it('every command has --help with usage and an example', async () => {
    for (const name of Object.keys(commands)) {
      out = [];
      expect(await main([name, '--help'])).toBe(0);
      const text = out.join('\n');
      expect(text).toMatch(new RegExp(`pluralign ${name}`));
      expect(text).toMatch(/Usage:/);
      expect(text).toMatch(/Example/);
    }
    out = [];
    expect(await main(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/Commands:/);
  });
});

describe('the bin entry', () => {
  it('runs as a process and sets the exit code', async () => {
    const bin = join(process.cwd(), 'src/cli/bin.ts');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const ok = await run(tsx, [
      bin,
      'counterfactual',
      '--graph',
      graphPath,
      '--evidence',
      '{"X":1,"Y":4,"Z":12}',
      '--compact',
    ]);
    expect(JSON.parse(ok.stdout).result.counterfactual).toEqual({ X: 1, Y: 4, Z: 12 });
    await expect(
      run(tsx, [bin, 'counterfactual', '--graph', graphPath, '--evidence', '{"W":1}']),
    ).rejects.toMatchObject({ code: 3 });
  });
});

describe('pluralign align and attribute (offline, template generator)', () => {
  it('align --json prints the answer, the explanation and the verification', async () => {
    const code = await main([
      'align',
      '--question',
      'Should I lend money to my brother?',
      '--target',
      '{"benevolence": 5, "security": 4}',
      '--verify',
      '--json',
      '--generator',
      'template',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    expect(json.generator.name).toBe('template');
    expect(json.answer).toMatch(/^Stance: /);
    expect(json.explanation.values).toHaveLength(10);
    expect(json.verification.dimensions).toHaveLength(2);
  });

  it('align works on every graph without a preset: mft-6, schwartz-19 and a graph file (the prior)', async () => {
    const cases: Array<[string, string, number]> = [
      ['mft-6', '{"care": 5, "purity": 2}', 6],
      ['schwartz-19', '{"Benevolence–caring": 5}', 19],
      [graphPath, '{"X": 5}', 1],
    ];
    for (const [graph, target, count] of cases) {
      out = [];
      const args = ['align', '--question', 'q?', '--target', target, '--graph', graph, '--json'];
      expect(await main([...args, '--generator', 'template']), err.join('\n')).toBe(0);
      const json = JSON.parse(out.join(''));
      expect(json.factual).toMatchObject({ kind: 'prior' });
      expect(json.explanation.values).toHaveLength(count);
    }
  });

  it('align --mode rewrite drafts, reads the draft back and rewrites it; refuses --preset', async () => {
    const args = [
      'align',
      '--question',
      'Should I lend money to my brother?',
      '--target',
      '{"benevolence": 5}',
    ];
    expect(await main([...args, '--mode', 'rewrite', '--json', '--generator', 'template'])).toBe(0);
    const json = JSON.parse(out.join(''));
    expect(json.factual.kind).toBe('draft');
    expect(json.rewrite).toMatchObject({ rewritten: true, draftSource: 'generated', attributor: 'learned' });
    expect(json.answer).not.toBe(json.rewrite.draft);
    expect(await main([...args, '--mode', 'rewrite', '--preset', 'human:mean'])).toBe(2);
    expect(await main([...args, '--mode', 'twice'])).toBe(2);
  });

  it('align reports a bad target value with exit code 3', async () => {
    expect(
      await main(['align', '--question', 'q', '--target', '{"powerr": 5}', '--generator', 'template']),
    ).toBe(3);
    expect(err.join('\n')).toMatch(/did you mean "power"/);
    expect(await main(['align', '--target', '{"power": 5}'])).toBe(2);
  });

  it('attribute --json reads a profile from a text', async () => {
    const code = await main([
      'attribute',
      '--text',
      'I would always help my family and forgive my friends.',
      '--json',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    const top = [...json.values].sort(
      (a: { likert5: number }, b: { likert5: number }) => b.likert5 - a.likert5,
    )[0];
    expect(top.value).toBe('benevolence');
  });
});
