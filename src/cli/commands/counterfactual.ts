/**
 * `pluralign counterfactual`: one query (or a batch) against a graph file or a bundled graph id. The
 * same use case as `POST /v1/counterfactuals` (src/pipeline/counterfactual.ts), validated with the
 * same zod schema, printing the same shape: `{ graph, result }` or `{ graph, results }`.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Intervention, Query } from '../../../schemas/api.js';
import { DomainError } from '../../errors.js';
import { loadGraphDir, resolveGraph } from '../../graphs/registry.js';
import { INTERVENTION_TYPE_NAMES } from '../../scm/index.js';
import {
  explainOptions,
  runQuery,
  type ApiResult,
  type BatchResultItem,
  type QueryInput,
} from '../../pipeline/counterfactual.js';
import { EXIT, InputError, UsageError, parseNumber, printJson, readJsonArg } from '../io.js';
import { progress, table } from '../progress.js';

export const help = `pluralign counterfactual — abduction → action → prediction on a structural causal model

Usage:
  pluralign counterfactual --graph <file|id> --evidence <json> [--interventions <json>] [options]
  pluralign counterfactual --graph <file|id> --queries <json>      (a JSON array of queries)

Options:
  --graph <file|id>        a graph file path, or the id of a bundled graph in graphs/ (e.g. schwartz-10)
  --evidence <json>        factual values by node id: every node (full evidence) or some (partial;
                           linear graphs only, results then carry standard deviations)
  --interventions <json>   a list of {"node", "type": ${INTERVENTION_TYPE_NAMES.map((t) => `"${t}"`).join('|')}, "value"}, or an
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

The JSON output is the API's (POST /v1/counterfactuals): { "graph", "result" } for one query,
{ "graph", "results": [{ "index", "ok", "result" | "error" }] } for a batch.

Exit codes: 0 ok, 2 usage error, 3 invalid input (graph, evidence or interventions; in a batch: any
query refused, the others are still printed).`;

/** `{"node": value}` is shorthand for do() on each node; a list is taken as is. */
function interventionList(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    return Object.entries(raw as Record<string, unknown>).map(([node, value]) => ({
      node,
      type: 'do',
      value,
    }));
  }
  return raw;
}

/**
 * A query validated with the API's zod schema; problems name the flag and the path (`where` is the
 * batch element, e.g. `--queries[2]`; for a single query the flag is the first path element).
 */
/**
 * The API's query with interventions as a list only: interventionList already turned the
 * `{"node": value}` shorthand into one, and without the union zod names the field that is wrong.
 */
const CliQuery = Query.extend({ interventions: z.array(Intervention).optional() });

function parseQuery(raw: Record<string, unknown>, where: string): QueryInput {
  const input = { ...raw, interventions: interventionList(raw.interventions) };
  const parsed = CliQuery.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new InputError(`${where || '--'}${where ? path : path.slice(1)}: ${issue.message}`);
}

/** Human-readable view of a result: one row per node that has evidence, an action, or changed. */
export function resultTable(r: ApiResult): string {
  const acted = new Set(r.actions.map((a) => a.node));
  const rows: Array<Array<string | number>> = [];
  const ids = Object.keys(r.counterfactual);
  for (const id of ids) {
    const factual = r.factual[id]!;
    const cf = r.counterfactual[id]!;
    const change = cf - factual;
    if (Math.abs(change) < 1e-12 && !acted.has(id)) continue;
    const sd = r.counterfactualSd ? `± ${r.counterfactualSd[id]!.toFixed(3)}` : '';
    rows.push([id, factual, cf, change, sd, acted.has(id) ? 'intervened' : '']);
  }
  const head = table(['node', 'factual', 'counterfactual', 'change', 'sd', ''], rows);
  const unchanged = ids.length - rows.length;
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
  const explain = values.explain ? explainOptions('full', maxPaths ?? 5) : false;
  const bundled = loadGraphDir();
  const entry = resolveGraph(values.graph, bundled);
  const source = bundled.get(values.graph) === undefined ? 'inline' : 'bundled';
  const graph = { id: entry.id, version: entry.version, hash: entry.hash, source };
  const withLambda = (q: Record<string, unknown>) =>
    lambda !== undefined && q.lambda === undefined ? { ...q, lambda } : q;
  if (values.queries) {
    const raw = readJsonArg(values.queries, '--queries');
    if (!Array.isArray(raw)) throw new InputError('--queries: give a JSON array of queries');
    const queries = raw.map((q, i) => {
      if (!q || typeof q !== 'object' || Array.isArray(q))
        throw new InputError(`--queries[${i}]: give an object {"evidence", "interventions", "lambda"?}`);
      return parseQuery(withLambda(q as Record<string, unknown>), `--queries[${i}]`);
    });
    const bar = values.progress ? progress({ total: queries.length, label: 'counterfactuals' }) : undefined;
    // Query by query (for the progress bar), each refused query reported in its line as the API does.
    const results: BatchResultItem[] = queries.map((q, index) => {
      bar?.tick(1, `query ${index}`);
      try {
        return { index, ok: true, result: runQuery(entry.program, q, explain, `queries.${index}`) };
      } catch (err) {
        if (err instanceof DomainError) return { index, ok: false, error: err.toEnvelope().error };
        throw err;
      }
    });
    bar?.done();
    const failed = results.some((r) => !r.ok);
    if (values.table) {
      const text = results
        .map(
          (r) => `query ${r.index}\n${r.ok ? resultTable(r.result) : `${r.error.code}: ${r.error.message}`}`,
        )
        .join('\n\n');
      process.stdout.write(`graph ${graph.id} (${graph.hash})\n\n${text}\n`);
    } else printJson({ graph, results }, !values.compact);
    return failed ? EXIT.input : EXIT.ok;
  }
  const evidence = readJsonArg(values.evidence!, '--evidence');
  const interventions = values.interventions ? readJsonArg(values.interventions, '--interventions') : [];
  const query = parseQuery(withLambda({ evidence, interventions }), '');
  let result: ApiResult;
  try {
    result = runQuery(entry.program, query, explain);
  } catch (err) {
    if (err instanceof DomainError) throw new InputError(err.message);
    throw err;
  }
  if (values.table) {
    process.stdout.write(`graph ${graph.id} (${graph.hash})\n\n${resultTable(result)}\n`);
    return 0;
  }
  printJson({ graph, result }, !values.compact);
  return 0;
}
