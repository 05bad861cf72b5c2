/**
 * `pluralign eval --task decisions`: agreement of the decisions with reference rankings (mean Spearman ρ,
 * Kendall τ-b, top-1 agreement with bootstrap intervals; baselines: the other people's consensus and
 * equal weights). src/decisions/evaluate.ts does the work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import {
  checkScenarios,
  evaluateDecisions,
  ScenariosFile,
  type DecisionEvalReport,
} from '../../decisions/evaluate.js';
import { DECISION_METHODS, type DecisionMethod } from '../../decisions/methods.js';
import { buildGenerators } from '../../generator/registry.js';
import { loadGraphDir, packageRoot, resolveGraph } from '../../graphs/registry.js';
import { InputError, UsageError, parseNumber, readJsonFile } from '../io.js';

export const help = `pluralign eval --task decisions — how well do ranked decisions agree with reference rankings?

Usage:
  pluralign eval --task decisions [--scenarios <file>] [options]

For every decision × person of the scenarios file, ranks the actions for the person's value profile
(POST /v1/decisions) and compares with the person's own ranking: mean Spearman ρ, Kendall τ-b and top-1
agreement, with seeded percentile-bootstrap intervals resampling decisions. Baselines on the same
pairs: consensus (rank as the other people of the decision did, ignoring values) and equal-weights
(every value at the same level).

Options:
  --scenarios <file>    decisions with rankings (default eval/decisions.json: 10 decisions × 3 personas
                        written for this project, an offline self-check)
  --graph <file|id>     value system (default: the file's graph, else schwartz-10)
  --method <name>       ${DECISION_METHODS.join(', ')} (default weighted-sum)
  --mode <name>         embedded (default) or llm (one call per decision and person; OPENAI_BASE_URL)
  --seed <n>            bootstrap seed (default 7)
  --bootstrap <n>       resamples (default 2000)
  --level <x>           confidence level (default 0.95)
  --out <dir>           also write report.json there
  --json                print the report as JSON

Exit codes: 0 ok, 1 failure, 2 usage error, 3 invalid input.`;

function summaryTable(r: DecisionEvalReport): string {
  const f = (x: number | null) => (x === null ? '   –  ' : x.toFixed(3).padStart(6));
  const ci = (i: { estimate: number | null; lo: number | null; hi: number | null }) =>
    `${f(i.estimate)} [${f(i.lo)}, ${f(i.hi)}]`;
  const lines = [
    `${r.graph} · ${r.mode} · ${r.method} · ${r.decisions} decisions, ${r.pairs} rankings`,
    `  ${'ranker'.padEnd(14)} ${'n'.padStart(4)}  Spearman ρ [CI]          Kendall τ [CI]           top-1 [CI]`,
  ];
  for (const [name, s] of Object.entries(r.results)) {
    if (!s) continue;
    lines.push(
      `  ${name.padEnd(14)} ${String(s.n).padStart(4)}  ${ci(s.spearman)}  ${ci(s.kendall)}  ${ci(s.top1)}`,
    );
  }
  return lines.join('\n');
}

export async function runDecisionEval(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      task: { type: 'string' },
      scenarios: { type: 'string' },
      graph: { type: 'string' },
      method: { type: 'string' },
      mode: { type: 'string' },
      seed: { type: 'string' },
      bootstrap: { type: 'string' },
      level: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    strict: true,
  });
  const method = (values.method ?? 'weighted-sum') as DecisionMethod;
  if (!DECISION_METHODS.includes(method))
    throw new UsageError(`--method: use ${DECISION_METHODS.join(', ')}`);
  const mode = values.mode ?? 'embedded';
  if (mode !== 'embedded' && mode !== 'llm') throw new UsageError('--mode: use embedded or llm');
  const path = values.scenarios ?? join(packageRoot(), 'eval', 'decisions.json');
  const parsed = ScenariosFile.safeParse(readJsonFile(path, '--scenarios'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const issues = checkScenarios(parsed.data);
  if (issues.length)
    throw new InputError(
      `${path}: ${issues[0]}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    );
  const graphs = loadGraphDir();
  const graphArg = values.graph ?? parsed.data.graph;
  const entry = graphArg ? resolveGraph(graphArg, graphs) : undefined;
  if (entry) graphs.set(entry.id, entry);
  const generators = mode === 'llm' ? buildGenerators(loadConfig(env).generator).generators : new Map();
  const seed = parseNumber(values.seed, '--seed');
  const resamples = parseNumber(values.bootstrap, '--bootstrap');
  const level = parseNumber(values.level, '--level');
  const report = await evaluateDecisions({ graphs, generators }, parsed.data, {
    ...(entry ? { graph: entry.id } : {}),
    mode,
    method,
    ...(seed !== undefined ? { seed } : {}),
    ...(resamples !== undefined ? { resamples } : {}),
    ...(level !== undefined ? { level } : {}),
  });
  if (values.out) {
    const dir = resolve(values.out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else console.log(summaryTable(report));
  return 0;
}
