/** The exported JSON Schema for graph files stays in sync with the zod schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphJsonSchema } from '../../schemas/graph-json-schema.js';

describe('schemas/graph.schema.json', () => {
  it('is what `npm run schemas` emits from the zod schema', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../schemas/graph.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(graphJsonSchema())));
  });

  it('describes the three mechanism kinds and the node kinds', () => {
    const text = JSON.stringify(graphJsonSchema());
    for (const word of [
      '"root"',
      '"linear"',
      '"expression"',
      '"latent"',
      '"value"',
      '"concept"',
      'noiseSd',
      'coefficients',
    ]) {
      expect(text).toContain(word);
    }
  });
});
