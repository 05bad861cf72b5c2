/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas by @fastify/swagger through
 * fastify-type-provider-zod. `openapi.yaml` at the repository root is this document (`npm run
 * openapi` writes it, `npm run openapi:check` and a test fail when it is stale).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { packageRoot } from '../graphs/registry.js';
import { SECURITY_SCHEMES, withAccessDocs } from './openapi-access.js';

type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;
type OpenApiDoc = {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
} & Record<string, unknown>;

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        into.add(decodeURIComponent(v.slice('#/components/schemas/'.length)));
      } else collectRefs(v, into);
    }
  }
}

/**
 * fastify-type-provider-zod emits every registered schema twice (`X` for responses, `XInput` for
 * requests); keep only the components the paths reach, so the document has no unused schemas.
 */
export function pruneComponents(doc: OpenApiDoc): OpenApiDoc {
  const schemas = doc.components?.schemas;
  if (!schemas) return doc;
  const reached = new Set<string>();
  collectRefs(doc.paths, reached);
  const queue = [...reached];
  while (queue.length) {
    const name = queue.pop()!;
    const found = new Set<string>();
    collectRefs(schemas[name], found);
    for (const f of found) {
      if (!reached.has(f)) {
        reached.add(f);
        queue.push(f);
      }
    }
  }
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(schemas).sort()) if (reached.has(name)) kept[name] = schemas[name];
  return { ...doc, components: { ...doc.components, schemas: kept } };
}

/**
 * Responses declared per media type (`content: { 'image/svg+xml': { schema } }`, e.g. the SVG routes)
 * keep their schema's `x-examples` inside the schema; move them to the media object, as
 * @fastify/swagger does for the other responses.
 */
export function mediaExamples(doc: OpenApiDoc): OpenApiDoc {
  type Media = { schema?: Record<string, unknown>; examples?: unknown };
  for (const item of Object.values(doc.paths ?? {}) as Array<Record<string, { responses?: unknown }>>) {
    for (const op of Object.values(item)) {
      const responses = (op?.responses ?? {}) as Record<string, { content?: Record<string, Media> }>;
      for (const response of Object.values(responses)) {
        for (const media of Object.values(response.content ?? {})) {
          const examples = media.schema?.['x-examples'];
          if (examples === undefined) continue;
          delete media.schema!['x-examples'];
          media.examples = examples;
        }
      }
    }
  }
  return doc;
}

const transformObject: TransformObject = (documentObject) => {
  const doc = jsonSchemaTransformObject(documentObject) as OpenApiDoc;
  return pruneComponents(mediaExamples(doc)) as ReturnType<TransformObject>;
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const TAGS = [
  {
    name: 'counterfactuals',
    description: 'Counterfactual inference on a structural causal model of values.',
  },
  {
    name: 'graphs',
    description: 'The value systems (SCM graphs): bundled ones, and custom ones uploaded through the API.',
  },
  { name: 'profiles', description: 'Value profiles: presets and conversion between scales.' },
  { name: 'health', description: 'Liveness, readiness and this document.' },
  { name: 'batches', description: 'Batch jobs: many align and attribution requests in one JSONL file.' },
];

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'pluralign',
        version: packageVersion(),
        description:
          'Counterfactual value profiles from an explicit structural causal model (SCM) linking human value dimensions to behaviour concepts. Every 4xx/5xx response has the envelope `{ "error": { "code", "message", "details" } }`; the codes are listed in docs/errors.md. Every response carries an `x-request-id` header (the caller\'s, when well-formed).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [
        { url: 'http://127.0.0.1:8080', description: 'A local server on the default HOST and PORT.' },
      ],
      tags: TAGS,
      // API keys (security.ts): each operation says whether it needs one, and which scope (openapi-access.ts).
      components: { securitySchemes: SECURITY_SCHEMES },
      security: [{ bearerAuth: [] }],
    },
    hideUntagged: true,
    transform: withAccessDocs(jsonSchemaTransform),
    transformObject,
  };
}
