/**
 * `npm run bench:decisions`: CPU time of one 6-action decision on valuepilot-6 (embedded mode, the whole
 * use case `decide`: profile, relevance, ranking, explanation) for each method, against a baseline
 * measured in the same run: attributing the same six "scenario + action" texts with the learned detector
 * (`attributeLearned`, the detector plus the SCM posterior per text). Target: a 6-action decision in
 * ≤ 5 ms. Writes test/bench/results/decisions.json and prints a table; `npm run bench` runs it as its
 * `decisions` part.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { attributeLearned } from '../../src/attribution/index.js';
import { decide } from '../../src/decisions/decide.js';
import { DECISION_METHODS, type DecisionMethod } from '../../src/decisions/methods.js';
import { loadGraphDir } from '../../src/graphs/registry.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
export const DECISION_TARGET_MS = 5;

const DECISIONS = [
  {
    scenario:
      'You have a free Saturday afternoon and a friend asks whether you want to do something together.',
    actions: [
      'Try a climbing gym for the first time',
      'Spend a cozy afternoon at home with your partner',
      'Visit a museum exhibition on a topic you know nothing about',
      'Go for a long run along the river',
      'Stay in bed alone all day',
      'Help a friend move house',
    ],
  },
  {
    scenario:
      'At a family gathering there is one piece of cake left, and several relatives are still at the table.',
    actions: [
      'Take it without asking',
      'Cut it into small pieces so everyone gets some',
      'Offer it to your grandmother',
      'Leave it and eat some fruit instead',
      'Ask if anyone wants to share it with you',
      'Bake a new cake with an unusual recipe next weekend',
    ],
  },
];
/** ValuePilot-style profiles: likert5 = 1 + 4 × a 0–1 score. */
const PROFILES = [
  { curiosity: 4.6, energy: 4.2, safety: 1.8, happiness: 3.4, intimacy: 2.6, fairness: 3 },
  { curiosity: 2.2, energy: 2.2, safety: 3.4, happiness: 3, intimacy: 4.6, fairness: 4.2 },
  { curiosity: 2.2, energy: 1.8, safety: 4.6, happiness: 3.8, intimacy: 3, fairness: 3.4 },
];

/** Per call, by this process's CPU time (user + system), not wall time. */
async function cpuMicroseconds(fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(i); // warm-up
  let iterations = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    for (let k = 0; k < 8; k++) await fn(iterations++);
    const d = process.cpuUsage(start);
    elapsed = (d.user + d.system) / 1e6;
  }
  return (elapsed / iterations) * 1e6;
}

export interface DecisionRow {
  method: DecisionMethod;
  decisionMicroseconds: number;
  baselineMicroseconds: number;
  /** decision time / baseline time (lower is better). */
  ratio: number;
}

export async function runDecisionBench(): Promise<DecisionRow[]> {
  const graphs = loadGraphDir();
  const entry = graphs.get('valuepilot-6')!;
  const deps = { graphs, generators: new Map() };
  const rows: DecisionRow[] = [];
  for (const method of DECISION_METHODS) {
    // Profiles cycle with the decisions: the counterfactual profile is cached per profile, as in a
    // service asked many decisions for the same persona.
    const decision = await cpuMicroseconds((i) => {
      const d = DECISIONS[i % DECISIONS.length]!;
      const values = PROFILES[i % PROFILES.length]!;
      return decide(deps, { ...d, graph: 'valuepilot-6', method, target: { format: 'likert5', values } });
    });
    const baseline = await cpuMicroseconds((i) => {
      const d = DECISIONS[i % DECISIONS.length]!;
      for (const a of d.actions) attributeLearned(entry, `${d.scenario}\n${a}`);
    });
    rows.push({
      method,
      decisionMicroseconds: decision,
      baselineMicroseconds: baseline,
      ratio: decision / baseline,
    });
  }
  return rows;
}

export function decisionTable(rows: readonly DecisionRow[]): string {
  const lines = [
    '| method | 6-action decision µs | 6 learned attributions µs (baseline) | decision / baseline |',
    '|---|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.method} | ${r.decisionMicroseconds.toFixed(0)} | ${r.baselineMicroseconds.toFixed(0)} | ${r.ratio.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

export function decisionTargetMet(rows: readonly DecisionRow[]): boolean {
  return rows.every((r) => r.decisionMicroseconds <= DECISION_TARGET_MS * 1000);
}

async function main() {
  const rows = await runDecisionBench();
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, 'results', 'decisions.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    loadAverage: os.loadavg(),
    secondsPerMeasurement: SECONDS,
    targetMs: DECISION_TARGET_MS,
    targetMet: decisionTargetMet(rows),
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Decisions on one core (${process.version}, ${SECONDS}s per measurement)\n`);
  console.log(decisionTable(rows));
  console.log(`\n6-action decision ≤ ${DECISION_TARGET_MS} ms: ${report.targetMet ? 'met' : 'MISSED'}`);
  console.log(`written to ${out}`);
  if (process.env.BENCH_STRICT === '1' && !report.targetMet) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
