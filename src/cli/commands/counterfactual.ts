/** `pluralign counterfactual`: one query (or a batch) against a graph file or a bundled graph id. */
import { parseArgs } from 'node:util';
import { resolveGraph } from '../../graphs/registry.js';
import {
  counterfactual,
  toRecord,
  type CounterfactualQuery,
  type CounterfactualResult,
  type Intervention,
} from '../../scm/index.js';
import { InputError, UsageError, parseNumber, printJson, readJsonArg } from '../io.js';
import { progress, table } from '../progress.js';

export const help = `pluralign counterfactual — abduction → action → prediction on a structural causal model

Usage:
  pluralign counterfactual --graph <file|id> --evidence <json> [--interventions <json>] [options]
  pluralign counterfactual --graph <file|id> --queries <json>      (a JSON array of queries)

Options:
  --graph <file|id>        a graph file path, or the id of a bundled graph in graphs/ (e.g. schwartz-10)
  --evidence <json>        factual values by node id: every node (full evidence) or some (partial;
                           linear graphs only, results then carry standard deviations)
  --interventions <json>   a list of {"node", "type": "do"|"shift"|"structured", "value"}, or an
                           object {"node": value} meaning do() on each (default: none)
  --queries <json>         a batch: an array of {"evidence", "interventions", "lambda"?} objects
  --lambda <number>        regularisation of structured interventions (default 0.1)
  --explain                add the explanation (contributions by intervention and by causal path)
  --max-paths <n>          paths listed per node in the explanation (default 5)
  --compact                one-line JSON (default: indented)
  --table                  human-readable: a table per query (node, factual, counterfactual, change)
  --progress               a progress bar on standard error for a batch (--queries)
  -h, --help               this help

JSON arguments are inline JSON, @file.json, or - for standard input.

Examples:
  pluralign counterfactual --graph schwartz-10 \\
    --evidence '{"benevolence": 0.2, "power": -0.5}' \\
    --interventions '[{"node": "benevolence", "type": "structured", "value": 1.2}]' --explain
  pluralign counterfactual --graph my-scm.json --evidence @row.json --interventions '{"X": 2}'
  pluralign counterfactual --graph schwartz-10 --evidence '{"power": 1}' \\
    --interventions '{"benevolence": 1}' --table
  pluralign counterfactual --graph schwartz-10 --queries @batch.json --progress --compact > out.json

Exit codes: 0 ok, 2 usage error, 3 invalid input (graph, evidence or interventions).`;

function parseInterventions(raw: unknown): Intervention[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) {
    return raw.map((x, i) => {
      const iv = x as Partial<Intervention>;
      if (!iv || typeof iv.node !== 'string' || typeof iv.value !== 'number') {
        throw new InputError(
          `--interventions[${i}]: needs {"node": string, "type": "do"|"shift"|"structured", "value": number}`,
        );
      }
      const type = iv.type ?? 'do';
      if (!['do', 'shift', 'structured'].includes(type)) {
        throw new InputError(
          `--interventions[${i}]: type must be do, shift or structured, got "${String(type)}"`,
        );
      }
      return { node: iv.node, type, value: iv.value };
    });
  }
  if (typeof raw === 'object') {
    return Object.entries(raw as Record<string, unknown>).map(([node, value]) => {
      if (typeof value !== 'number') throw new InputError(`--interventions.${node}: needs a number`);
      return { node, type: 'do' as const, value };
    });
  }
  throw new InputError('--interventions: give a list of interventions or an object {"node": value}');
}

function parseEvidence(raw: unknown, where: string): Record<string, number> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError(`${where}: give an object {"node": number}`);
  return raw as Record<string, number>;
}

/** JSON view of a result: per-node numbers keyed by node id. */
export function resultJson(r: CounterfactualResult) {
  const nodes: Record<string, Record<string, number>> = {};
  r.nodes.forEach((id, i) => {
    const entry: Record<string, number> = {
      factual: r.factual[i]!,
      counterfactual: r.counterfactual[i]!,
      noise: r.noise[i]!,
    };
    if (r.factualSd) entry.factualSd = r.factualSd[i]!;
    if (r.counterfactualSd) entry.counterfactualSd = r.counterfactualSd[i]!;
    if (r.noiseSd) entry.noiseSd = r.noiseSd[i]!;
    nodes[id] = entry;
  });
  const structured = r.structured && {
    lambda: r.structured.lambda,
    latents: r.structured.latents.map((h, j) => ({
      node: r.nodes[h],
      from: r.structured!.from[j],
      to: r.structured!.to[j],
    })),
    misfit: r.structured.misfit,
  };
  return {
    evidence: r.evidence,
    counterfactual: toRecord(r.nodes, r.counterfactual),
    nodes,
    actions: r.actions,
    ...(structured ? { structured } : {}),
    ...(r.explanation ? { explanation: r.explanation } : {}),
  };
}

/** Human-readable view of a result: one row per node that has evidence, an action, or changed. */
export function resultTable(r: CounterfactualResult): string {
  const acted = new Set(r.actions.map((a) => a.node));
  const rows: Array<Array<string | number>> = [];
  r.nodes.forEach((id, i) => {
    const change = r.counterfactual[i]! - r.factual[i]!;
    if (Math.abs(change) < 1e-12 && !acted.has(id)) return;
    const sd = r.counterfactualSd ? `± ${r.counterfactualSd[i]!.toFixed(3)}` : '';
    rows.push([id, r.factual[i]!, r.counterfactual[i]!, change, sd, acted.has(id) ? 'intervened' : '']);
  });
  const head = table(['node', 'factual', 'counterfactual', 'change', 'sd', ''], rows);
  const unchanged = r.nodes.length - rows.length;
  return `${head}\n(${r.evidence} evidence; ${unchanged} unchanged node${unchanged === 1 ? '' : 's'} not shown)`;
}

export function run(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      graph: { type: 'string' },
      evidence: { type: 'string' },
      interventions: { type: 'string' },
      queries: { type: 'string' },
      lambda: { type: 'string' },
      explain: { type: 'boolean' },
      'max-paths': { type: 'string' },
      compact: { type: 'boolean' },
      table: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.graph)
    throw new UsageError('--graph is required (a graph file or a bundled id such as schwartz-10)');
  if (!values.evidence && !values.queries)
    throw new UsageError('give --evidence (one query) or --queries (a batch)');
  const lambda = parseNumber(values.lambda, '--lambda');
  const maxPaths = parseNumber(values['max-paths'], '--max-paths');
  const explain = values.explain ? { maxPaths: maxPaths ?? 5 } : undefined;
  const entry = resolveGraph(values.graph);
  const graph = { id: entry.id, version: entry.version, hash: entry.hash };
  const build = (
    evidence: unknown,
    interventions: unknown,
    where: string,
    qLambda?: unknown,
  ): CounterfactualQuery => ({
    evidence: parseEvidence(evidence, where),
    interventions: parseInterventions(interventions),
    lambda: typeof qLambda === 'number' ? qLambda : lambda,
    explain,
  });
  if (values.queries) {
    const raw = readJsonArg(values.queries, '--queries');
    if (!Array.isArray(raw)) throw new InputError('--queries: give a JSON array of queries');
    const bar = values.progress ? progress({ total: raw.length, label: 'counterfactuals' }) : undefined;
    const computed = raw.map((q, i) => {
      const o = (q ?? {}) as Record<string, unknown>;
      const r = counterfactual(
        entry.program,
        build(o.evidence, o.interventions, `--queries[${i}].evidence`, o.lambda),
      );
      bar?.tick(1, `query ${i}`);
      return r;
    });
    bar?.done();
    if (values.table) {
      const text = computed.map((r, i) => `query ${i}\n${resultTable(r)}`).join('\n\n');
      process.stdout.write(`graph ${graph.id} (${graph.hash})\n\n${text}\n`);
      return 0;
    }
    printJson({ graph, results: computed.map(resultJson) }, !values.compact);
    return 0;
  }
  const evidence = readJsonArg(values.evidence!, '--evidence');
  const interventions = values.interventions ? readJsonArg(values.interventions, '--interventions') : [];
  const result = counterfactual(entry.program, build(evidence, interventions, '--evidence'));
  if (values.table) {
    process.stdout.write(`graph ${graph.id} (${graph.hash})\n\n${resultTable(result)}\n`);
    return 0;
  }
  printJson({ graph, ...resultJson(result) }, !values.compact);
  return 0;
}
