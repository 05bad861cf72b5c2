/** `pluralign fit`: least-squares fit of a graph's linear mechanisms and root priors from a data table. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveGraph } from '../../graphs/registry.js';
import { fitGraph, type DataTable, type NodeFit } from '../../scm/index.js';
import { InputError, UsageError, printJson, readJsonFile } from '../io.js';
import { table } from '../progress.js';

export const help = `pluralign fit — fit a graph's linear mechanisms (least squares per node) from a data table

Usage:
  pluralign fit --graph <file|id> --data <table.json> [--out fitted.json] [--nodes a,b,c]

Options:
  --graph <file|id>   the graph whose structure is fitted (its numbers are replaced)
  --data <file>       JSON: an array of rows {"node": number, ...} or columns {"node": [numbers]};
                      rows missing a needed value are dropped for that node only
  --out <file>        write the fitted graph there (default: print the report only)
  --nodes <list>      fit only these nodes (comma-separated ids)
  --compact           one-line JSON
  --table             human-readable: one row per fitted node (n, R², residual sd, coefficients)
  -h, --help          this help

Each fitted node reports n, intercept, coefficients, residual sd and R²; roots get mean and sd.

Examples:
  pluralign fit --graph my-scm.json --data survey.json --out my-scm.fitted.json
  pluralign fit --graph my-scm.json --data survey.json --nodes Y,Z --table

Exit codes: 0 ok, 2 usage error, 3 invalid input (graph, data, or a node that cannot be fitted).`;

/** Human-readable view of the fits: one row per node, then the skipped nodes. */
export function fitTable(
  fits: readonly NodeFit[],
  skipped: ReadonlyArray<{ node: string; reason: string }>,
): string {
  const rows = fits.map((f) => [
    f.node,
    f.kind,
    f.n,
    f.r2 ?? '',
    f.sd,
    f.kind === 'root'
      ? `mean ${(f.mean ?? 0).toFixed(3)}`
      : [
          `${(f.intercept ?? 0).toFixed(3)}`,
          ...Object.entries(f.coefficients ?? {}).map(
            ([k, v]) => `${v >= 0 ? '+' : '-'} ${Math.abs(v).toFixed(3)}·${k}`,
          ),
        ].join(' '),
  ]);
  const text = table(['node', 'kind', 'n', 'R²', 'sd', 'mechanism'], rows);
  return skipped.length
    ? `${text}\nskipped: ${skipped.map((s) => `${s.node} (${s.reason})`).join(', ')}`
    : text;
}

export function run(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      graph: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      nodes: { type: 'string' },
      compact: { type: 'boolean' },
      table: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.graph) throw new UsageError('--graph is required');
  if (!values.data) throw new UsageError('--data is required (a JSON table: rows or columns)');
  const entry = resolveGraph(values.graph);
  const data = readJsonFile(values.data, '--data');
  if (!data || typeof data !== 'object')
    throw new InputError('--data: give an array of rows or an object of columns');
  const nodes = values.nodes
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const result = fitGraph(entry.file, data as DataTable, nodes ? { nodes } : {});
  if (values.out) writeFileSync(values.out, `${JSON.stringify(result.graph, null, 2)}\n`);
  if (values.table) {
    process.stdout.write(`${fitTable(result.fits, result.skipped)}\n`);
    if (values.out) process.stdout.write(`wrote ${values.out}\n`);
    return 0;
  }
  printJson(
    { graph: result.graph.id, out: values.out ?? null, fits: result.fits, skipped: result.skipped },
    !values.compact,
  );
  return 0;
}
