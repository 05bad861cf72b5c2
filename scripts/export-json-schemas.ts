/**
 * `npm run schemas`: export the graph file format as JSON Schema (schemas/graph.schema.json) for
 * editors ("$schema": "../schemas/graph.schema.json" in a graph file). `--check` exits 1 when the
 * committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graphJsonSchema } from '../schemas/graph-json-schema.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'graph.schema.json');
const text = `${JSON.stringify(graphJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    console.error(`${out} is out of date: run npm run schemas`);
    process.exit(1);
  }
  console.log(`${out} is up to date`);
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
