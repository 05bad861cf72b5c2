/** The graph file format as JSON Schema (draft 2020-12), derived from the zod schema. */
import { z } from 'zod';
import { GraphFile } from './graph.js';

export function graphJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(GraphFile, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://pluralign.dev/schemas/graph.schema.json',
    title: 'pluralign graph file',
    description:
      'A structural causal model over latent, value and concept nodes. Structural rules (acyclic, one coefficient per parent edge, expressions only in parent ids) are checked when the graph is loaded.',
  };
}
