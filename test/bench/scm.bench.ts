/**
 * `npm run bench:scm`: counterfactual queries per second on graphs of ~30, ~70 and ~300 nodes, for full
 * and partial evidence, with and without explanation, on one core. Each engine figure is set against a
 * baseline measured in the same run: the textbook dense closed form with mathjs, x' = (I − B')⁻¹(c' + M û)
 * (full evidence) and Gaussian conditioning of the twin network (partial evidence), per query.
 * Partial evidence is measured twice: with the engine's per-observed-set covariance cache (a caller
 * giving profiles on the same dimensions) and with the cache cleared before every query (worst case).
 * Writes test/bench/results/scm.json and prints a table. `npm run bench` runs it as its first part
 * (test/bench/index.bench.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { identity, inv, matrix, multiply, subtract, transpose, type Matrix } from 'mathjs';
import { compile, counterfactual, type CounterfactualQuery, type Program } from '../../src/scm/index.js';
import { layeredGraph, mulberry32 } from './graphs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

function measure(fn: (i: number) => void, seconds = SECONDS, minIterations = 3) {
  for (let i = 0; i < 200 && i < minIterations * 50; i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < seconds || iterations < minIterations) {
    for (let k = 0; k < 64; k++) fn(iterations++);
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed > seconds * 20) break;
  }
  return {
    iterations,
    seconds: elapsed,
    perSecond: iterations / elapsed,
    microseconds: (elapsed / iterations) * 1e6,
  };
}

function measureSlow(fn: (i: number) => void, seconds = SECONDS) {
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < seconds || iterations < 3) {
    fn(iterations++);
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return {
    iterations,
    seconds: elapsed,
    perSecond: iterations / elapsed,
    microseconds: (elapsed / iterations) * 1e6,
  };
}

/** Simulated individuals: factual rows drawn from the SCM itself. */
function simulate(p: Program, count: number, seed: number): Array<Record<string, number>> {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const rows: Array<Record<string, number>> = [];
  for (let r = 0; r < count; r++) {
    const x = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) {
      let s = p.mech[i] === 0 ? p.noiseMean[i]! : p.intercept[i]!;
      for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) s += p.parentW[k]! * x[p.parentIdx[k]!]!;
      x[i] = s + Math.sqrt(p.noiseVar[i]!) * gauss();
    }
    rows.push(Object.fromEntries(p.ids.map((id, i) => [id, x[i]!])));
  }
  return rows;
}

/** The dense mathjs baseline for one full-evidence query with do() on `targets`. */
function baselineFull(p: Program, row: Record<string, number>, targets: Record<string, number>) {
  const n = p.n;
  const b: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) b[i]![p.parentIdx[k]!] = p.parentW[k]!;
  const x = p.ids.map((id) => row[id]!);
  const c = p.ids.map((_, i) => (p.mech[i] === 0 ? 0 : p.intercept[i]!));
  const u = (
    subtract(subtract(matrix(x), multiply(matrix(b), matrix(x))), matrix(c)) as Matrix
  ).toArray() as number[];
  const cp = c.map((ci, i) => ci + u[i]!);
  for (const [id, v] of Object.entries(targets)) {
    const i = p.index.get(id)!;
    b[i]!.fill(0);
    cp[i] = v;
  }
  const a = inv(subtract(identity(n), matrix(b)) as Matrix);
  return multiply(a, matrix(cp));
}

/** The dense mathjs baseline for partial evidence: condition the joint Gaussian of [x_O; x'] on x_O. */
function baselinePartial(p: Program, evidence: Record<string, number>, targets: Record<string, number>) {
  const n = p.n;
  const b: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) b[i]![p.parentIdx[k]!] = p.parentW[k]!;
  const a = (inv(subtract(identity(n), matrix(b)) as Matrix) as Matrix).toArray() as number[][];
  const bp = b.map((row) => [...row]);
  for (const id of Object.keys(targets)) bp[p.index.get(id)!]!.fill(0);
  const ap = (inv(subtract(identity(n), matrix(bp)) as Matrix) as Matrix).toArray() as number[][];
  const obs = Object.keys(evidence).map((id) => p.index.get(id)!);
  const cut = new Set(Object.keys(targets).map((id) => p.index.get(id)!));
  const loadings = [...obs.map((o) => a[o]!), ...ap.map((row) => row.map((v, j) => (cut.has(j) ? 0 : v)))];
  const s = matrix(p.ids.map((_, i) => p.ids.map((__, j) => (i === j ? p.noiseVar[i]! : 0))));
  const l = matrix(loadings);
  const cov = (multiply(multiply(l, s), transpose(l)) as Matrix).toArray() as number[][];
  const k = obs.length;
  const soo = inv(matrix(cov.slice(0, k).map((r) => r.slice(0, k))));
  const sro = matrix(cov.slice(k).map((r) => r.slice(0, k)));
  const gain = multiply(sro, soo);
  return multiply(gain, transpose(sro));
}

export interface ScmRow {
  graph: string;
  nodes: number;
  evidence: 'full' | 'partial' | 'partial, uncached';
  explain: boolean;
  queriesPerSecond: number;
  microsecondsPerQuery: number;
  baselinePerSecond: number | null;
  speedup: number | null;
}

/** Every engine measurement, each against the mathjs baseline measured right before it. */
export function runScmBench(): ScmRow[] {
  const configs = [
    { name: '~30 nodes', graph: layeredGraph(2, 10, 18, 11) },
    { name: '~70 nodes', graph: layeredGraph(2, 10, 58, 12) },
    { name: '~300 nodes', graph: layeredGraph(4, 19, 277, 13) },
  ];
  const rows: ScmRow[] = [];
  for (const { name, graph } of configs) {
    const p = compile(graph);
    const data = simulate(p, 256, 7);
    const values = p.ids.filter((_, i) => p.kinds[i] === 'value');
    const target = values[0]!;
    const partialEvidence = data.map((row) => Object.fromEntries(values.map((v) => [v, row[v]!])));
    const interventionsFor = (i: number) => [
      { node: values[i % values.length]!, type: 'do' as const, value: 1.5 },
    ];
    let baselineOf: ReturnType<typeof measureSlow> | undefined;
    for (const evidence of ['full', 'partial', 'partial, uncached'] as const) {
      const baseline =
        evidence === 'partial, uncached'
          ? baselineOf!
          : evidence === 'full'
            ? measureSlow((i) => baselineFull(p, data[i % data.length]!, { [target]: 1.5 }), SECONDS / 2)
            : measureSlow(
                (i) => baselinePartial(p, partialEvidence[i % data.length]!, { [target]: 1.5 }),
                SECONDS / 2,
              );
      baselineOf = baseline;
      for (const explain of [false, true]) {
        const queries: CounterfactualQuery[] = data.map((row, i) => ({
          evidence: evidence === 'full' ? row : partialEvidence[i]!,
          interventions: interventionsFor(i),
          explain,
        }));
        // "uncached": drop the per-observed-set covariance cache before every query (worst case).
        const cold = evidence === 'partial, uncached';
        const m = measure((i) => {
          if (cold) {
            p.cache.evidence.clear();
            p.cache.mutilatedVar.clear();
          }
          counterfactual(p, queries[i % queries.length]!);
        });
        rows.push({
          graph: name,
          nodes: p.n,
          evidence,
          explain,
          queriesPerSecond: m.perSecond,
          microsecondsPerQuery: m.microseconds,
          baselinePerSecond: explain || cold ? null : baseline.perSecond,
          speedup: explain ? null : m.perSecond / baseline.perSecond,
        });
      }
    }
  }

  return rows;
}

export const SCM_BASELINE =
  'mathjs dense closed form per query (inverse of I − B′; Gaussian conditioning of the twin network)';

export function scmTable(rows: readonly ScmRow[]): string {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = [
    '| graph | nodes | evidence | explain | queries/s | µs/query | mathjs baseline q/s | speedup |',
    '|---|---:|---|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.graph} | ${r.nodes} | ${r.evidence} | ${r.explain ? 'yes' : 'no'} | ${fmt(r.queriesPerSecond)} | ${r.microsecondsPerQuery.toFixed(1)} | ${
        r.baselinePerSecond === null ? '' : fmt(r.baselinePerSecond)
      } | ${r.speedup === null ? '' : `${r.speedup.toFixed(0)}×`} |`,
    );
  }
  return lines.join('\n');
}

function main() {
  const rows = runScmBench();
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, 'results', 'scm.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    secondsPerMeasurement: SECONDS,
    baseline: SCM_BASELINE,
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`SCM counterfactual benchmark (${process.version}, one core, ${SECONDS}s per measurement)\n`);
  console.log(scmTable(rows));
  console.log(`\nwritten to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
