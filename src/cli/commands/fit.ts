/** `pluralign fit`: least-squares fit of a graph's linear mechanisms and root priors from a data table. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveGraph } from '../../graphs/registry.js';
import { fitGraph, type DataTable } from '../../scm/index.js';
import { InputError, UsageError, printJson, readJsonFile } from '../io.js';

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
  -h, --help          this help

Each fitted node reports n, intercept, coefficients, residual sd and R²; roots get mean and sd.

Example:
  pluralign fit --graph my-scm.json --data survey.json --out my-scm.fitted.json

Exit codes: 0 ok, 2 usage error, 3 invalid input (graph, data, or a node that cannot be fitted).`;

export function run(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      graph: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      nodes: { type: 'string' },
      compact: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
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
  printJson(
    { graph: result.graph.id, out: values.out ?? null, fits: result.fits, skipped: result.skipped },
    !values.compact,
  );
  return 0;
}
