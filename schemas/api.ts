/**
 * The HTTP API's request and response schemas (zod). They are the single source for request
 * validation, response serialisation and the OpenAPI document (`openapi.yaml`, generated from the
 * running app by `npm run openapi`).
 *
 * Conventions: request objects are strict (an unknown field is a 400 that names it); schemas with a
 * `meta({ id })` become OpenAPI components; the top-level body and response schemas of each route
 * carry `x-examples` (named examples), which the OpenAPI generator moves to the media type. The
 * examples are real: `test/http/examples.test.ts` sends every request example to the app and compares
 * the answer with the response example.
 */
import { z } from 'zod';
import { contentHash } from '../src/graphs/registry.js';
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from '../src/errors.js';
import {
  APPLIED_ACTION_NAMES,
  INTERVENTION_TYPE_NAMES,
  interventionTypeDescription,
  interventionValueDescription,
} from '../src/scm/index.js';
import { GraphFile } from './graph.js';

// ---------------------------------------------------------------------------------------------
// Errors

export const ErrorDetail = z
  .object({
    path: z
      .string()
      .describe(
        'Where the problem is: a dotted path in the body (`queries.0.interventions.1.type`), `query.<name>` or `params.<name>`; empty when it is about the request as a whole.',
      ),
    message: z.string().describe('What is wrong there and how to fix it.'),
    node: z.string().optional().describe('The graph node the problem is about, when there is one.'),
  })
  .meta({ id: 'ErrorDetail', description: 'One problem found in the request.' });

export const ErrorCodeSchema = z.enum(ERROR_CODES).meta({
  id: 'ErrorCode',
  description: 'A stable error code; see docs/errors.md for the catalogue.',
});

export const ErrorBody = z
  .object({
    code: ErrorCodeSchema,
    message: z
      .string()
      .describe('A human-readable message. 4xx: what to fix. 5xx: generic, with the request id.'),
    details: z.array(ErrorDetail).describe('Every problem found (empty when there is nothing more to say).'),
  })
  .meta({ id: 'ErrorBody', description: 'An error: code, message and details.' });

export const ErrorEnvelope = z
  .object({ error: ErrorBody })
  .meta({ id: 'ErrorEnvelope', description: 'The envelope of every 4xx and 5xx response.' });

export type ErrorEnvelopeT = z.infer<typeof ErrorEnvelope>;

/** The error examples of API keys, limits and custom graphs (real answers too). */
const ACCESS_ERROR_EXAMPLES: Partial<Record<ErrorCode, ErrorEnvelopeT>> = {
  AUTH_REQUIRED: {
    error: {
      code: 'AUTH_REQUIRED',
      message: 'this route needs an API key with scope "read": send the header Authorization: Bearer <key>',
      details: [],
    },
  },
  INVALID_API_KEY: {
    error: {
      code: 'INVALID_API_KEY',
      message:
        'the Authorization header does not carry a valid API key (expected Authorization: Bearer <key>)',
      details: [],
    },
  },
  INSUFFICIENT_SCOPE: {
    error: {
      code: 'INSUFFICIENT_SCOPE',
      message: 'API key "reader" lacks the scope "admin" this route needs (it has: read)',
      details: [],
    },
  },
  JSON_TOO_DEEP: {
    error: {
      code: 'JSON_TOO_DEEP',
      message: 'the JSON body nests arrays and objects more than 64 levels deep; flatten it',
      details: [],
    },
  },
  BATCH_QUOTA_EXCEEDED: {
    error: {
      code: 'BATCH_QUOTA_EXCEEDED',
      message:
        'this batch has 2 lines and this API key has 0 lines in unfinished batches; at most 1 are allowed at once (BATCH_QUOTA_LINES): wait for your running batches to finish, cancel one (POST /v1/batches/{id}/cancel), or split the input',
      details: [],
    },
  },
  RATE_LIMITED: {
    error: {
      code: 'RATE_LIMITED',
      message:
        'too many requests from this address without a valid API key: at most 1 per 60 s (RATE_LIMIT_PER_IP); retry after the number of seconds in the Retry-After header',
      details: [],
    },
  },
  UNKNOWN_GRAPH_VERSION: {
    error: {
      code: 'UNKNOWN_GRAPH_VERSION',
      message: 'graph "mini-values" has no version 0123456789abcdef; see GET /v1/graphs/mini-values/versions',
      details: [
        {
          path: 'query.version',
          message:
            'graph "mini-values" has no version 0123456789abcdef; see GET /v1/graphs/mini-values/versions',
        },
      ],
    },
  },
  GRAPH_EXISTS: {
    error: {
      code: 'GRAPH_EXISTS',
      message: 'a custom graph "my-values" exists already; PUT /v1/graphs/my-values adds a version',
      details: [
        {
          path: 'id',
          message: 'a custom graph "my-values" exists already; PUT /v1/graphs/my-values adds a version',
        },
      ],
    },
  },
  GRAPH_READ_ONLY: {
    error: {
      code: 'GRAPH_READ_ONLY',
      message:
        'graph "mini-values" is bundled with the service (GRAPHS_DIR) and read-only; upload yours under another id',
      details: [
        {
          path: 'id',
          message:
            'graph "mini-values" is bundled with the service (GRAPHS_DIR) and read-only; upload yours under another id',
        },
      ],
    },
  },
  GRAPH_QUOTA_EXCEEDED: {
    error: {
      code: 'GRAPH_QUOTA_EXCEEDED',
      message: 'the database holds 1 custom graph(s), the most MAX_CUSTOM_GRAPHS allows; delete one first',
      details: [
        {
          path: 'id',
          message:
            'the database holds 1 custom graph(s), the most MAX_CUSTOM_GRAPHS allows; delete one first',
        },
      ],
    },
  },
  OVERLOADED: {
    error: {
      code: 'OVERLOADED',
      message: 'the server is overloaded; retry in 10 seconds (Retry-After)',
      details: [],
    },
  },
  STORAGE_UNAVAILABLE: {
    error: {
      code: 'STORAGE_UNAVAILABLE',
      message:
        'the graph database could not store the graph, nothing was stored; retry later and quote request id 3f2a9c1e-8d4b-4c55-9a51-0c3e6f1d2b7a if it persists',
      details: [],
    },
  },
};

/**
 * The error examples of the OpenAPI document: real answers (test/http/examples.test.ts reproduces each
 * one from the request in test/http/error-example-requests.ts).
 */
const ERROR_EXAMPLES: Partial<Record<ErrorCode, ErrorEnvelopeT>> = {
  ...ACCESS_ERROR_EXAMPLES,
  BATCH_INVALID_INPUT: {
    error: {
      code: 'BATCH_INVALID_INPUT',
      message: '2 malformed input line(s): 2, 3',
      details: [
        { path: 'line.2', message: 'not valid JSON' },
        {
          path: 'line.3',
          message:
            'duplicate custom_id "a" (first on line 1); url must be one of /v1/align, /v1/attributions, /v1/decisions',
        },
      ],
    },
  },
  BATCH_TOO_MANY_LINES: {
    error: {
      code: 'BATCH_TOO_MANY_LINES',
      message: 'the input has 50001 lines; at most 50000 (BATCH_MAX_LINES) per batch',
      details: [],
    },
  },
  UNKNOWN_BATCH: {
    error: {
      code: 'UNKNOWN_BATCH',
      message: 'no batch "batch_0123456789abcdef01234567" for this API key; GET /v1/batches lists yours',
      details: [],
    },
  },
  UNKNOWN_EXPLANATION: {
    error: {
      code: 'UNKNOWN_EXPLANATION',
      message:
        'no explanation "expl_0123456789abcdef01234567": ids come from the x-pluralign-explanation-id header of a steered chat completion and are kept 15 minutes',
      details: [],
    },
  },
  UNKNOWN_PRESET: {
    error: {
      code: 'UNKNOWN_PRESET',
      message: 'no preset "human:nobody"; GET /v1/presets lists them',
      details: [],
    },
  },
  GENERATOR_UNAVAILABLE: {
    error: {
      code: 'GENERATOR_UNAVAILABLE',
      message: 'generator "openai" is not configured (set OPENAI_BASE_URL to enable it); available: template',
      details: [],
    },
  },
  ATTRIBUTION_UNSUPPORTED_GRAPH: {
    error: {
      code: 'ATTRIBUTION_UNSUPPORTED_GRAPH',
      message:
        'graph "curve" has nonlinear (expression) mechanisms; attribution needs partial-evidence abduction, which needs linear mechanisms',
      details: [],
    },
  },
  VALIDATION_FAILED: {
    error: {
      code: 'VALIDATION_FAILED',
      message:
        'the request body is invalid: interventions.0.type: Invalid option: expected one of "do"|"shift"|"structured"',
      details: [
        {
          path: 'interventions.0.type',
          message: 'Invalid option: expected one of "do"|"shift"|"structured"',
        },
      ],
    },
  },
  MALFORMED_JSON: {
    error: {
      code: 'MALFORMED_JSON',
      message: 'the body is not valid JSON; check quotes, commas and brackets',
      details: [],
    },
  },
  UNKNOWN_NODE: {
    error: {
      code: 'UNKNOWN_NODE',
      message:
        'evidence on unknown node "benevolense"; graph "schwartz-10" has nodes such as "openness_conservation", "transcendence_enhancement", "self_direction", "stimulation", "hedonism"; did you mean "benevolence"?',
      details: [
        {
          path: 'evidence.benevolense',
          message:
            'evidence on unknown node "benevolense"; graph "schwartz-10" has nodes such as "openness_conservation", "transcendence_enhancement", "self_direction", "stimulation", "hedonism"; did you mean "benevolence"?',
          node: 'benevolense',
        },
      ],
    },
  },
  INVALID_QUERY: {
    error: {
      code: 'INVALID_QUERY',
      message: 'node "security" is intervened on more than once; give one intervention per node',
      details: [
        {
          path: 'interventions.1',
          message: 'node "security" is intervened on more than once; give one intervention per node',
          node: 'security',
        },
      ],
    },
  },
  GRAPH_INVALID: {
    error: {
      code: 'GRAPH_INVALID',
      message:
        'the inline graph is invalid: edge ghost → adventure names unknown node "ghost"; declare "ghost" in nodes or fix the edge',
      details: [
        {
          path: 'graph.edges.4',
          message:
            'edge ghost → adventure names unknown node "ghost"; declare "ghost" in nodes or fix the edge',
          node: 'ghost',
        },
      ],
    },
  },
  GRAPH_CYCLE: {
    error: {
      code: 'GRAPH_CYCLE',
      message:
        'the inline graph is invalid: the graph has a cycle through node "a": a → b → a; remove one of these edges (a structural causal model must be acyclic)',
      details: [
        {
          path: 'graph.edges',
          message:
            'the graph has a cycle through node "a": a → b → a; remove one of these edges (a structural causal model must be acyclic)',
          node: 'a',
        },
      ],
    },
  },
  GRAPH_TOO_LARGE: {
    error: {
      code: 'GRAPH_TOO_LARGE',
      message: 'the inline graph has 1001 nodes; at most 1000 are allowed (MAX_INLINE_GRAPH_NODES)',
      details: [
        {
          path: 'graph.nodes',
          message: 'the inline graph has 1001 nodes; at most 1000 are allowed (MAX_INLINE_GRAPH_NODES)',
        },
      ],
    },
  },
  BATCH_TOO_LARGE: {
    error: {
      code: 'BATCH_TOO_LARGE',
      message:
        'the batch has 150 queries; at most 100 are allowed (MAX_BATCH_SIZE); split it into several requests',
      details: [
        {
          path: 'queries',
          message:
            'the batch has 150 queries; at most 100 are allowed (MAX_BATCH_SIZE); split it into several requests',
        },
      ],
    },
  },
  UNKNOWN_GRAPH: {
    error: {
      code: 'UNKNOWN_GRAPH',
      message: 'no graph "schwartz-11"; known graphs: schwartz-10',
      details: [{ path: 'graph', message: 'no graph "schwartz-11"; known graphs: schwartz-10' }],
    },
  },
  BODY_TOO_LARGE: {
    error: {
      code: 'BODY_TOO_LARGE',
      message:
        'the request body is larger than 1048576 bytes (BODY_LIMIT); send less data or split the batch',
      details: [],
    },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    error: {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'the body is sent as "text/plain"; send it as application/json',
      details: [],
    },
  },
  UNSUPPORTED_QUERY: {
    error: {
      code: 'UNSUPPORTED_QUERY',
      message:
        'partial evidence needs linear mechanisms, but node "y" has an expression mechanism; give evidence on every node (full evidence) or use a linear graph',
      details: [{ path: 'evidence', message: 'node "y" is nonlinear', node: 'y' }],
    },
  },
  WORK_BUDGET_EXCEEDED: {
    error: {
      code: 'WORK_BUDGET_EXCEEDED',
      message:
        'the request needs more than 1000 ms of computation (COUNTERFACTUAL_BUDGET_MS); ask for less: explain "none", fewer queries or interventions, full evidence, or a smaller graph',
      details: [],
    },
  },
  NON_FINITE_RESULT: {
    error: {
      code: 'NON_FINITE_RESULT',
      message:
        'the counterfactual value of node "y" is not a finite number (the mechanisms overflow for this evidence); use smaller evidence or intervention values',
      details: [
        {
          path: '',
          message:
            'the counterfactual value of node "y" is not a finite number (the mechanisms overflow for this evidence); use smaller evidence or intervention values',
          node: 'y',
        },
      ],
    },
  },
  INVALID_PROFILE: {
    error: {
      code: 'INVALID_PROFILE',
      message:
        'values.security: 7 is outside the likert5 range 1–5; give a score in range or change "format"',
      details: [
        {
          path: 'profile.values.security',
          message:
            'values.security: 7 is outside the likert5 range 1–5; give a score in range or change "format"',
        },
      ],
    },
  },
  UNKNOWN_VALUE: {
    error: {
      code: 'UNKNOWN_VALUE',
      message:
        'values.securty: unknown value "securty" in schwartz-10; did you mean "security"? the values are self_direction, stimulation, hedonism, achievement, power, security, conformity, tradition, benevolence, universalism',
      details: [
        {
          path: 'profile.values.securty',
          message:
            'values.securty: unknown value "securty" in schwartz-10; did you mean "security"? the values are self_direction, stimulation, hedonism, achievement, power, security, conformity, tradition, benevolence, universalism',
        },
      ],
    },
  },
  INTERNAL: {
    error: {
      code: 'INTERNAL',
      message:
        'internal server error; quote request id 3f2a9c1e-8d4b-4c55-9a51-0c3e6f1d2b7a when reporting it',
      details: [],
    },
  },
  NOT_READY: {
    error: { code: 'NOT_READY', message: 'the service is not ready: graphs are still loading', details: [] },
  },
  SHUTTING_DOWN: {
    error: {
      code: 'SHUTTING_DOWN',
      message: 'the server is shutting down; retry on another instance',
      details: [],
    },
  },
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  409: 'Conflict',
  429: 'Too many requests',
  404: 'Not found',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable query',
  500: 'Internal error',
  503: 'Unavailable',
};

/**
 * The documented error responses of a route: for each status, the envelope with a description that
 * lists the codes that status can carry on this route, and an example.
 */
export function errorResponses<S extends number>(
  spec: Record<S, readonly ErrorCode[]>,
): Record<S, z.ZodType<ErrorEnvelopeT>> {
  const out = {} as Record<S, z.ZodType<ErrorEnvelopeT>>;
  for (const key of Object.keys(spec)) {
    const status = Number(key) as S;
    const codes = spec[status];
    for (const c of codes) {
      if (ERROR_CATALOGUE[c].status !== status) throw new Error(`error code ${c} is not a ${status}`);
    }
    const examples: Record<string, { summary: string; value: ErrorEnvelopeT }> = {};
    for (const c of codes) {
      examples[c] = {
        summary: ERROR_CATALOGUE[c].summary,
        value: ERROR_EXAMPLES[c] ?? { error: { code: c, message: ERROR_CATALOGUE[c].summary, details: [] } },
      };
    }
    out[status] = z.object({ error: ErrorBody }).meta({
      description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      'x-examples': examples,
    });
  }
  return out;
}

/** The query string of routes that take no parameters: any parameter is an unknown field (400). */
export const NoQuery = z.strictObject({}).describe('This route takes no query parameters.');

// ---------------------------------------------------------------------------------------------
// Graphs

export const GraphDefinition = GraphFile.meta({
  id: 'GraphDefinition',
  description:
    'A structural causal model over latent, value and concept nodes (the graph file format, see graphs/README.md).',
});

/** A small, complete graph used in the examples (and as the inline-graph fixture of the tests). */
export const EXAMPLE_GRAPH: GraphFile = {
  id: 'mini-values',
  version: '1',
  title: 'A three-node example',
  scale: 'centered',
  nodes: [
    {
      id: 'openness',
      kind: 'latent',
      label: 'Openness to change',
      mechanism: { type: 'root', mean: 0, sd: 1 },
    },
    {
      id: 'stimulation',
      kind: 'value',
      label: 'Stimulation',
      mechanism: { type: 'linear', intercept: 0, coefficients: { openness: 0.75 }, noiseSd: 0.5 },
    },
    {
      id: 'security',
      kind: 'value',
      label: 'Security',
      mechanism: { type: 'linear', intercept: 0, coefficients: { openness: -0.5 }, noiseSd: 0.5 },
    },
    {
      id: 'adventure',
      kind: 'concept',
      label: 'Seeking adventure',
      mechanism: {
        type: 'linear',
        intercept: 0,
        coefficients: { stimulation: 0.5, security: -0.25 },
        noiseSd: 0.5,
      },
    },
  ],
  edges: [
    ['openness', 'stimulation'],
    ['openness', 'security'],
    ['stimulation', 'adventure'],
    ['security', 'adventure'],
  ],
};

/** The content hash of EXAMPLE_GRAPH, as the registry computes it for any graph. */
export const EXAMPLE_GRAPH_HASH = contentHash(EXAMPLE_GRAPH);

export const GraphRef = z
  .object({
    id: z.string(),
    version: z.string(),
    hash: z
      .string()
      .describe('sha256 of the canonical JSON of the definition (16 hex digits): changes with any edit.'),
    source: z
      .enum(['bundled', 'custom', 'inline'])
      .describe(
        '`bundled` (GRAPHS_DIR), `custom` (uploaded, current version) or `inline` (sent with the request).',
      ),
  })
  .meta({ id: 'GraphRef', description: 'Which graph (and exactly which version of it) answered.' });

export const CustomInfo = z
  .object({
    createdAt: z.string().describe('When the graph was first uploaded (ISO 8601).'),
    updatedAt: z.string().describe('When its current version was last set (ISO 8601).'),
    versions: z.int().positive().describe('How many versions are stored.'),
  })
  .meta({ id: 'CustomGraphInfo' });

const NodeCounts = z.object({
  latent: z.int().nonnegative(),
  value: z.int().nonnegative(),
  concept: z.int().nonnegative(),
});

export const GraphSummary = z
  .object({
    id: z.string(),
    version: z.string(),
    hash: z.string(),
    title: z.string().optional(),
    description: z.string().optional(),
    scale: z.string().optional(),
    nodes: NodeCounts.describe('Node counts by kind.'),
    edges: z.int().nonnegative(),
    linear: z.boolean().describe('True when every mechanism is linear (partial evidence needs it).'),
    provenance: GraphDefinition.shape.provenance,
    source: z
      .enum(['bundled', 'custom'])
      .describe(
        '`bundled`: loaded from GRAPHS_DIR at boot, read-only. `custom`: uploaded with `POST /v1/graphs`.',
      ),
    custom: CustomInfo.optional().describe(
      'For custom graphs: when it was written, and how many versions it has.',
    ),
  })
  .meta({ id: 'GraphSummary', description: 'A graph (bundled or custom), without its node list.' });

export const GraphList = z.object({ graphs: z.array(GraphSummary) }).meta({
  'x-examples': {
    list: {
      summary: 'The loaded graphs',
      value: {
        graphs: [
          {
            id: 'mini-values',
            version: '1',
            hash: EXAMPLE_GRAPH_HASH,
            title: 'A three-node example',
            scale: 'centered',
            nodes: { latent: 1, value: 2, concept: 1 },
            edges: 4,
            linear: true,
            source: 'bundled',
          },
        ],
      },
    },
  },
});

export const GraphParams = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .describe('A graph id, e.g. `schwartz-10`.')
    .meta({ examples: ['schwartz-10'] }),
});

export const GraphQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'a version is the 16-hex-digit content hash of the graph')
    .optional()
    .describe('A content hash from `GET /v1/graphs/{id}/versions` (default: the current version).')
    .meta({ examples: [EXAMPLE_GRAPH_HASH] }),
});

export const GraphDetail = GraphSummary.extend({
  current: z.boolean().describe('False when `?version=` asked for an older version of a custom graph.'),
  definition: GraphDefinition,
}).meta({
  'x-examples': {
    graph: {
      summary: 'One graph with its definition',
      value: {
        id: 'mini-values',
        version: '1',
        hash: EXAMPLE_GRAPH_HASH,
        title: 'A three-node example',
        scale: 'centered',
        nodes: { latent: 1, value: 2, concept: 1 },
        edges: 4,
        linear: true,
        source: 'bundled',
        current: true,
        definition: EXAMPLE_GRAPH,
      },
    },
  },
});

/** A custom graph for the write examples: the example graph under another id. */
export const EXAMPLE_CUSTOM_GRAPH: GraphFile = {
  ...EXAMPLE_GRAPH,
  id: 'my-values',
  title: 'My value model',
};
/** Its second version: security weighs more on adventure. */
export const EXAMPLE_CUSTOM_GRAPH_V2: GraphFile = {
  ...EXAMPLE_CUSTOM_GRAPH,
  version: '2',
  nodes: EXAMPLE_CUSTOM_GRAPH.nodes.map((n) =>
    n.id === 'adventure'
      ? {
          ...n,
          mechanism: {
            type: 'linear',
            intercept: 0,
            coefficients: { stimulation: 0.5, security: -0.5 },
            noiseSd: 0.5,
          },
        }
      : n,
  ),
};
const CUSTOM_HASH = contentHash(EXAMPLE_CUSTOM_GRAPH);
const CUSTOM_V2_HASH = contentHash(EXAMPLE_CUSTOM_GRAPH_V2);
const EXAMPLE_TIME = '2026-01-15T09:30:00.000Z';
const EXAMPLE_TIME_2 = '2026-02-02T14:05:00.000Z';

export const GraphUpload = z
  .lazy(() => GraphDefinition)
  .meta({
    description:
      'A whole graph definition, in the graph file format (as in GRAPHS_DIR); its `id` names the custom graph.',
    'x-examples': {
      create: { summary: 'Upload a custom graph', value: EXAMPLE_CUSTOM_GRAPH },
    },
  });

export const GraphVersionUpload = z
  .lazy(() => GraphDefinition)
  .meta({
    description: 'The new version: a whole graph definition whose `id` is the id in the path.',
    'x-examples': {
      update: { summary: 'A new version of the custom graph', value: EXAMPLE_CUSTOM_GRAPH_V2 },
    },
  });

const customSummary = (graph: GraphFile, hash: string, info: z.infer<typeof CustomInfo>) => ({
  id: graph.id,
  version: graph.version,
  hash,
  title: 'My value model',
  scale: 'centered',
  nodes: { latent: 1, value: 2, concept: 1 },
  edges: 4,
  linear: true,
  source: 'custom',
  custom: info,
});

export const GraphWriteResult = GraphSummary.extend({
  outcome: z
    .enum(['created', 'added', 'restored', 'unchanged'])
    .describe(
      '`created`: a new custom graph. `added`: a new version, now current. `restored`: an older version (same content) is current again. `unchanged`: it was the current version already.',
    ),
}).meta({
  'x-examples': {
    create: {
      summary: 'Created (201)',
      value: {
        ...customSummary(EXAMPLE_CUSTOM_GRAPH, CUSTOM_HASH, {
          createdAt: EXAMPLE_TIME,
          updatedAt: EXAMPLE_TIME,
          versions: 1,
        }),
        outcome: 'created',
      },
    },
    update: {
      summary: 'A new version (200)',
      value: {
        ...customSummary(EXAMPLE_CUSTOM_GRAPH_V2, CUSTOM_V2_HASH, {
          createdAt: EXAMPLE_TIME,
          updatedAt: EXAMPLE_TIME_2,
          versions: 2,
        }),
        outcome: 'added',
      },
    },
  },
});

export const GraphDeleted = z
  .object({
    id: z.string(),
    deleted: z.literal(true),
    versions: z.int().positive().describe('How many stored versions were deleted with it.'),
  })
  .meta({
    'x-examples': {
      deleted: {
        summary: 'Deleted with its versions',
        value: { id: 'my-values', deleted: true, versions: 2 },
      },
    },
  });

export const GraphVersionList = z
  .object({
    id: z.string(),
    source: z.enum(['bundled', 'custom']),
    current: z.string().describe('The hash of the current version.'),
    versions: z
      .array(
        z.object({
          hash: z.string(),
          version: z.string().describe('The `version` field of that definition.'),
          createdAt: z.string().nullable().describe('When it was uploaded (null for bundled graphs).'),
          current: z.boolean(),
        }),
      )
      .describe('Newest first.'),
  })
  .meta({
    'x-examples': {
      versions: {
        summary: 'A custom graph with two versions',
        value: {
          id: 'my-values',
          source: 'custom',
          current: CUSTOM_V2_HASH,
          versions: [
            { hash: CUSTOM_V2_HASH, version: '2', createdAt: EXAMPLE_TIME_2, current: true },
            { hash: CUSTOM_HASH, version: '1', createdAt: EXAMPLE_TIME, current: false },
          ],
        },
      },
    },
  });

// ---------------------------------------------------------------------------------------------
// Counterfactuals

export const Evidence = z
  .record(z.string(), z.number())
  .describe(
    'Factual evidence: a value per node id. A value for every node is full evidence (exact abduction); any subset is partial evidence (Gaussian posterior; linear graphs only), and the answer then carries standard deviations. `{}` is the prior.',
  )
  .meta({ id: 'Evidence' });

export const Intervention = z
  .strictObject({
    node: z.string().min(1).describe('The node to act on.'),
    // One row per type in src/scm/intervention-types.ts: the names and the descriptions come from there.
    type: z.enum(INTERVENTION_TYPE_NAMES).describe(interventionTypeDescription()),
    value: z.number().describe(interventionValueDescription()),
  })
  .meta({ id: 'Intervention' });

const QueryFields = {
  evidence: Evidence.optional(),
  interventions: z
    .union([
      z.array(Intervention).max(10000),
      z
        .record(z.string(), z.number())
        .describe('Shorthand (the CLI’s shape): `{"benevolence": 1}` = a `do` on each node.'),
    ])
    .optional()
    .describe('The actions; `[]` (default) is no action.'),
  scale: z
    .enum(['centered', 'likert5', 'pvq6'])
    .optional()
    .describe(
      'The scale of the value-node numbers in `evidence` and `interventions` (default: the graph’s own, `centered` for the bundled value graphs). They are converted to the graph’s units (`shift` amounts as differences); the answer is in the graph’s units. `/v1/align` takes `likert5`.',
    ),
  lambda: z
    .number()
    .min(0)
    .optional()
    .describe('Regularisation of the structured action towards the factual latents (default 0.1).'),
};

export const Query = z
  .strictObject(QueryFields)
  .meta({ id: 'Query', description: 'One counterfactual query: evidence, then interventions.' });

export const ExplainLevel = z
  .enum(['none', 'summary', 'full'])
  .describe(
    '`none`: no explanation. `summary` (default): the nodes acted on and the `maxNodes` (default 10) other nodes that changed most, each with its contribution per intervention and its 3 largest causal paths (`omittedNodes` counts the changed nodes left out). `full`: every node, with up to `maxPaths` (default 10) paths.',
  );

export const CounterfactualRequest = z
  .strictObject({
    graph: z
      .union([z.string().min(1).max(64), GraphDefinition])
      .describe(
        'A graph id (bundled or custom, see `GET /v1/graphs`) or a whole graph definition (an inline graph).',
      ),
    ...QueryFields,
    queries: z
      .array(Query)
      .min(1)
      .optional()
      .describe(
        'A batch: several queries against the same graph (at most MAX_BATCH_SIZE, default 100). Each item gets its own result or error. When `queries` is given, `evidence`, `interventions` and `lambda` must not be.',
      ),
    explain: ExplainLevel.default('summary'),
    maxPaths: z
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Paths listed per explained node (default 3 for summary, 10 for full).'),
    maxNodes: z
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .describe(
        'Nodes explained besides the ones acted on: those whose change is largest (default 10 for summary, every node for full).',
      ),
    nodes: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(10_000)
      .optional()
      .describe(
        'Return only these nodes (ids, in this order): the value, sd and noise records and the explanation list just them, e.g. the value nodes of a graph whose many concept nodes are not wanted (default: every node). An unknown id is refused (400 UNKNOWN_NODE).',
      ),
    chart: z
      .boolean()
      .default(false)
      .describe(
        'Add `chart` to each result: an SVG radar chart of the value nodes, factual vs counterfactual (and the do()/structured targets). Value nodes on the `centered` scale are drawn on the 1–5 scale.',
      ),
  })
  .superRefine((body, ctx) => {
    if (body.queries !== undefined) {
      for (const key of ['evidence', 'interventions', 'lambda', 'scale'] as const) {
        if (body[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" belongs inside each item of "queries" when a batch is sent; move it there or drop "queries"`,
          });
        }
      }
    }
  })
  .meta({
    description:
      'One query (`evidence`, `interventions`, `lambda` at the top level) or a batch (`queries`), against a bundled or an inline graph.',
  });

export type CounterfactualRequestT = z.infer<typeof CounterfactualRequest>;

export const NumberByNode = z
  .record(z.string(), z.number())
  .meta({ id: 'NumberByNode', description: 'A number per node id.' });

export const AppliedAction = z
  .object({
    node: z.string(),
    type: z.enum(APPLIED_ACTION_NAMES),
    value: z.number(),
    origin: z
      .enum(['caller', 'structured'])
      .describe(
        "`caller`: one of the query's interventions; `structured`: a latent set by a structured intervention.",
      ),
  })
  .meta({ id: 'AppliedAction', description: 'An action as applied to the model.' });

export const StructuredSolution = z
  .object({
    lambda: z.number(),
    latents: z
      .array(z.object({ node: z.string(), factual: z.number(), value: z.number() }))
      .describe(
        'The latent parents the structured action set, from their factual value to the chosen value.',
      ),
    targets: z
      .array(z.object({ node: z.string(), target: z.number(), residual: z.number() }))
      .describe('The structured targets and how far each was from its target before the latents moved.'),
    share: z
      .array(z.array(z.number()))
      .describe(
        'share[h][v]: how much latent h moves per unit of residual of target v (h* − ĥ = share · residual).',
      ),
    misfit: z.number().describe('‖x′_V(h*) − t‖: how far the latents alone got from the targets.'),
    iterations: z.int().nonnegative(),
  })
  .meta({ id: 'StructuredSolution', description: 'How a structured action chose the latent values.' });

export const NodeExplanation = z
  .object({
    node: z.string(),
    role: z.enum(['set', 'shifted', 'structured', 'inferred', 'unchanged']),
    factual: z.number(),
    counterfactual: z.number(),
    change: z.number(),
    contributions: z
      .array(z.object({ intervention: z.string(), amount: z.number() }))
      .describe('The change split by intervention; the amounts sum to `change`.'),
    paths: z
      .array(
        z.object({
          intervention: z.string(),
          path: z.array(z.string()),
          amount: z.number(),
          structured: z.boolean().optional(),
        }),
      )
      .describe('The largest causal paths by |amount|.'),
    otherPaths: z.number().describe('The rest of the change, over the paths not listed.'),
  })
  .meta({ id: 'NodeExplanation' });

export const Explanation = z
  .object({
    method: z.enum(['path-products', 'shapley-exact', 'shapley-sampled']),
    evaluations: z.int().optional(),
    truncated: z.boolean(),
    nodes: z.array(NodeExplanation),
    omittedNodes: z
      .int()
      .nonnegative()
      .describe(
        'Nodes left out by `maxNodes` (those with the smallest changes); ask for `explain: "full"` or a larger `maxNodes` to see them.',
      ),
  })
  .meta({
    id: 'Explanation',
    description:
      'Why every node changed: contributions per intervention and per causal path (exact path products for linear graphs, Shapley values over the interventions otherwise).',
  });

export const CounterfactualResult = z
  .object({
    evidence: z.enum(['full', 'partial']),
    counterfactual: NumberByNode.describe(
      'The counterfactual value of every node (the mean, under partial evidence).',
    ),
    counterfactualSd: NumberByNode.nullable().describe(
      'Standard deviations of the counterfactual values (partial evidence only).',
    ),
    factual: NumberByNode.describe(
      'The factual value of every node (the posterior mean, under partial evidence).',
    ),
    factualSd: NumberByNode.nullable().describe(
      'Posterior standard deviations of the factual values (partial evidence only).',
    ),
    noise: NumberByNode.describe('The abducted exogenous terms (posterior mean, under partial evidence).'),
    noiseSd: NumberByNode.nullable().describe(
      'Posterior standard deviations of the noise (partial evidence only).',
    ),
    actions: z.array(AppliedAction),
    structured: StructuredSolution.nullable(),
    explanation: Explanation.optional().describe('Absent when `explain` is `none`.'),
    chart: z.string().optional().describe('The SVG radar chart of the value nodes (with `chart: true`).'),
    notes: z
      .array(z.string())
      .optional()
      .describe(
        'Warnings: evidence or a target more than 3 prior sd from the population mean (often a number on the wrong scale: see `scale`); a structured target with no latent parent (set as do() would set it), or whose latent is also acted on.',
      ),
  })
  .meta({ id: 'CounterfactualResult' });

export type CounterfactualResultT = z.output<typeof CounterfactualResult>;

export const BatchItem = z
  .discriminatedUnion('ok', [
    z.object({ index: z.int().nonnegative(), ok: z.literal(true), result: CounterfactualResult }),
    z.object({ index: z.int().nonnegative(), ok: z.literal(false), error: ErrorBody }),
  ])
  .meta({
    id: 'BatchItem',
    description: 'The result or the error of one query of a batch, in request order.',
  });

export type BatchItemT = z.output<typeof BatchItem>;
export type GraphRefT = z.output<typeof GraphRef>;

const EXAMPLE_EVIDENCE = { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 };

export const COUNTERFACTUAL_EXAMPLES = {
  inline: {
    summary: 'Inline graph, full evidence, do()',
    value: {
      graph: EXAMPLE_GRAPH,
      evidence: EXAMPLE_EVIDENCE,
      interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
      explain: 'summary',
    },
  },
  batch: {
    summary: 'A batch: a shift, and a query with an unknown node (per-item error)',
    value: {
      graph: EXAMPLE_GRAPH,
      queries: [
        { evidence: EXAMPLE_EVIDENCE, interventions: [{ node: 'security', type: 'shift', value: 0.5 }] },
        { evidence: { opennes: 1 } },
      ],
      explain: 'none',
    },
  },
  bundled: {
    summary: 'schwartz-10, partial evidence, structured action',
    value: {
      graph: 'schwartz-10',
      evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
      interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
      explain: 'summary',
    },
  },
} as const;

export const COUNTERFACTUAL_RESPONSE_EXAMPLES = {
  inline: {
    summary: 'The answer to the inline example',
    value: {
      graph: { id: 'mini-values', version: '1', hash: EXAMPLE_GRAPH_HASH, source: 'inline' },
      result: {
        evidence: 'full',
        counterfactual: { openness: 1, stimulation: 2, security: -0.25, adventure: 1.25 },
        counterfactualSd: null,
        factual: EXAMPLE_EVIDENCE,
        factualSd: null,
        noise: { openness: 1, stimulation: 0.25, security: 0.25, adventure: 0.1875 },
        noiseSd: null,
        actions: [{ node: 'stimulation', type: 'do', value: 2, origin: 'caller' }],
        structured: null,
        explanation: {
          method: 'path-products',
          truncated: false,
          nodes: [
            {
              node: 'stimulation',
              role: 'set',
              factual: 1,
              counterfactual: 2,
              change: 1,
              contributions: [{ intervention: 'stimulation', amount: 1 }],
              paths: [{ intervention: 'stimulation', path: ['stimulation'], amount: 1 }],
              otherPaths: 0,
            },
            {
              node: 'adventure',
              role: 'inferred',
              factual: 0.75,
              counterfactual: 1.25,
              change: 0.5,
              contributions: [{ intervention: 'stimulation', amount: 0.5 }],
              paths: [{ intervention: 'stimulation', path: ['stimulation', 'adventure'], amount: 0.5 }],
              otherPaths: 0,
            },
          ],
          omittedNodes: 0,
        },
      },
    },
  },
  batch: {
    summary: 'The answer to the batch example',
    value: {
      graph: { id: 'mini-values', version: '1', hash: EXAMPLE_GRAPH_HASH, source: 'inline' },
      results: [
        {
          index: 0,
          ok: true,
          result: {
            evidence: 'full',
            counterfactual: { openness: 1, stimulation: 1, security: 0.25, adventure: 0.625 },
            counterfactualSd: null,
            factual: EXAMPLE_EVIDENCE,
            factualSd: null,
            noise: { openness: 1, stimulation: 0.25, security: 0.25, adventure: 0.1875 },
            noiseSd: null,
            actions: [{ node: 'security', type: 'shift', value: 0.5, origin: 'caller' }],
            structured: null,
          },
        },
        {
          index: 1,
          ok: false,
          error: {
            code: 'UNKNOWN_NODE',
            message:
              'evidence on unknown node "opennes"; graph "mini-values" has nodes such as "openness", "stimulation", "security", "adventure"; did you mean "openness"?',
            details: [
              {
                path: 'queries.1.evidence.opennes',
                node: 'opennes',
                message:
                  'evidence on unknown node "opennes"; graph "mini-values" has nodes such as "openness", "stimulation", "security", "adventure"; did you mean "openness"?',
              },
            ],
          },
        },
      ],
    },
  },
} as const;

export const CounterfactualResponse = z
  .union([
    z.object({ graph: GraphRef, result: CounterfactualResult }),
    z.object({ graph: GraphRef, results: z.array(BatchItem) }),
  ])
  .meta({
    description: '`result` for a single query, `results` (one item per query, in order) for a batch.',
    'x-examples': COUNTERFACTUAL_RESPONSE_EXAMPLES,
  });

export const CounterfactualBody = CounterfactualRequest.meta({ 'x-examples': COUNTERFACTUAL_EXAMPLES });

// ---------------------------------------------------------------------------------------------
// Value profiles and presets

export const Scale = z.enum(['likert5', 'pvq6', 'centered']);
export const ProfileFormat = z.enum(['likert5', 'pvq6', 'centered', 'ranking']).meta({
  id: 'ProfileFormat',
  description:
    "`likert5`: 1–5 per value (COUPLE's rubric). `pvq6`: 1–6 PVQ answers. `centered`: MRAT-centered scores. `ranking`: value ids, most important first.",
});

export const Profile = z
  .strictObject({
    format: ProfileFormat,
    values: z
      .record(z.string(), z.number())
      .optional()
      .describe('A score per value id (every format but ranking).'),
    ranking: z.array(z.string()).optional().describe('Value ids, most important first (format ranking).'),
  })
  .meta({
    id: 'Profile',
    description: 'A value profile; only the values the caller cares about need to be given.',
  });

export const ConvertRequest = z
  .strictObject({
    profile: Profile,
    to: ProfileFormat,
    system: z.string().min(1).max(64).optional().describe('The value system (default `schwartz-10`).'),
  })
  .meta({
    'x-examples': {
      likertToCentered: {
        summary: 'Likert 1–5 to centered scores',
        value: {
          profile: { format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } },
          to: 'centered',
        },
      },
      toRanking: {
        summary: 'Likert 1–5 to a ranking',
        value: {
          profile: { format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } },
          to: 'ranking',
        },
      },
    },
  });

export const ConvertResponse = z
  .object({
    format: ProfileFormat,
    values: z.record(z.string(), z.number()).optional(),
    ranking: z.array(z.string()).optional(),
    notes: z.array(z.string()).optional().describe('What the conversion assumed or lost.'),
  })
  .meta({
    'x-examples': {
      likertToCentered: {
        summary: 'Centered scores',
        value: { format: 'centered', values: { stimulation: -2.5, security: 2.5, benevolence: 1.25 } },
      },
      toRanking: {
        summary: 'A ranking, most important first',
        value: { format: 'ranking', ranking: ['security', 'benevolence', 'stimulation'] },
      },
    },
  });

export const Preset = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string(),
    system: z.string().describe('The value system the profile is on, e.g. `schwartz-10`.'),
    format: z.literal('centered'),
    values: z.record(z.string(), z.number()),
    source: z.string().describe('Where the figures come from.'),
  })
  .meta({ id: 'Preset', description: 'A ready-made value profile.' });

export const PresetQuery = z.strictObject({
  system: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Only the presets on this value system.')
    .meta({ examples: ['schwartz-10'] }),
});

/** A real preset (graphs/presets/human.json), the example of `GET /v1/presets`. */
const EXAMPLE_PRESET = {
  id: 'human:mean',
  label: 'Average person',
  description:
    'Mean centered profile of 569 people (PVQ-21). Top values: benevolence +0.59, universalism +0.55, self-direction +0.53; bottom: power −0.73, achievement −0.53.',
  system: 'schwartz-10',
  format: 'centered',
  values: {
    self_direction: 0.5316,
    stimulation: -0.3876,
    hedonism: -0.3155,
    achievement: -0.53,
    power: -0.7268,
    security: 0.3365,
    conformity: -0.4025,
    tradition: 0.0816,
    benevolence: 0.5904,
    universalism: 0.5482,
  },
  source:
    "Value Portrait (Han, Choi, Song, Lee & Jo, ACL 2025, pp. 17119–17159, arXiv 2505.01015; github.com/holi-lab/ValuePortrait, MIT licence): 569 Prolific participants' PVQ-21 profiles, MRAT-centered",
};

export const PresetList = z.object({ presets: z.array(Preset) }).meta({
  'x-examples': {
    humanMean: { summary: 'One of the presets (the list is longer)', value: { presets: [EXAMPLE_PRESET] } },
  },
});

// ---------------------------------------------------------------------------------------------
// Health

export const Health = z
  .object({ status: z.literal('ok'), uptimeSeconds: z.number().nonnegative() })
  .meta({ 'x-examples': { ok: { summary: 'Alive', value: { status: 'ok', uptimeSeconds: 12.5 } } } });

export const Readiness = z
  .object({
    status: z.literal('ready'),
    graphs: z
      .array(z.object({ id: z.string(), version: z.string(), hash: z.string() }))
      .describe('The bundled graphs (GRAPHS_DIR).'),
    customGraphs: z
      .number()
      .int()
      .describe('How many custom graphs are stored (their ids need the `read` scope: GET /v1/graphs).'),
  })
  .meta({
    'x-examples': {
      ready: {
        summary: 'Ready, with the loaded graphs',
        value: {
          status: 'ready',
          graphs: [{ id: 'mini-values', version: '1', hash: EXAMPLE_GRAPH_HASH }],
          customGraphs: 0,
        },
      },
    },
  });

export const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).loose(),
    paths: z.record(z.string(), z.unknown()),
  })
  .loose()
  .meta({
    'x-examples': {
      document: {
        summary: 'This document',
        value: { openapi: '3.1.0', info: { title: 'pluralign', version: '0.1.0' }, paths: {} },
      },
    },
  });
