/**
 * The graph file format (`graphs/*.json`): a structural causal model over value and behaviour nodes.
 *
 * This zod schema is the single source of truth: the engine validates with it, the HTTP layer reuses it
 * for inline graphs, and `npm run schemas` exports `schemas/graph.schema.json` for editors.
 * Structural checks that need the whole graph (cycles, unknown parents, coefficients on non-edges,
 * expressions naming non-parents) live in `src/scm/graph.ts`, which reports the node and the fix.
 */
import { z } from 'zod';

const finite = (what: string) =>
  z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`);

export const NodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'a node id starts with a letter or underscore and has only letters, digits and underscores (it is used as a variable name in expressions)',
  )
  .refine((id) => id !== '__proto__', 'a node id cannot be "__proto__"');

export const NodeKind = z.enum(['latent', 'value', 'concept']);

export const RootMechanism = z
  .object({
    type: z.literal('root'),
    mean: finite('root mean').describe('Prior mean of the exogenous value of this root node.'),
    sd: finite('root sd')
      .refine((v) => v >= 0, 'root sd must be >= 0')
      .describe('Prior standard deviation of this root node.'),
  })
  .strict()
  .describe('A root node: its value is its own exogenous term, with a Gaussian prior.');

export const LinearMechanism = z
  .object({
    type: z.literal('linear'),
    intercept: finite('intercept'),
    coefficients: z
      .record(z.string(), finite('coefficient'))
      .describe('One coefficient per parent, keyed by the parent id; every parent needs one.'),
    noiseSd: finite('noiseSd')
      .refine((v) => v >= 0, 'noiseSd must be >= 0')
      .describe('Standard deviation of the additive Gaussian noise.'),
  })
  .strict()
  .describe('x = intercept + sum(coefficient * parent) + noise.');

export const ExpressionMechanism = z
  .object({
    type: z.literal('expression'),
    expression: z
      .string()
      .min(1)
      .max(2000)
      .describe('A mathjs expression in the parent ids, e.g. "0.5 * tanh(a) + b^2".'),
    noiseSd: finite('noiseSd').refine((v) => v >= 0, 'noiseSd must be >= 0'),
  })
  .strict()
  .describe('x = expression(parents) + noise: a nonlinear additive-noise mechanism.');

export const Mechanism = z.discriminatedUnion('type', [RootMechanism, LinearMechanism, ExpressionMechanism]);

export const GraphNode = z
  .object({
    id: NodeId,
    kind: NodeKind,
    label: z.string().min(1).max(200),
    description: z.string().max(4000).optional(),
    group: z.string().max(100).optional().describe('A grouping label, e.g. the value a concept belongs to.'),
    code: z
      .string()
      .min(1)
      .max(20)
      .optional()
      .describe('Value nodes: the short code used in the literature (SD, ST, …); accepted as a name.'),
    aliases: z
      .array(z.string().min(1).max(200))
      .max(50)
      .optional()
      .describe('Value nodes: more names a profile may use for this value (any friendly form).'),
    phrases: z
      .array(z.string().min(1).max(200))
      .max(500)
      .optional()
      .describe('Phrases that signal this node in text (used by the embedded concept detector).'),
    mechanism: Mechanism,
  })
  .strict();

export const Edge = z.tuple([NodeId, NodeId]).describe('[parent, child]');

export const Provenance = z
  .object({
    source: z.string().max(2000),
    licence: z.string().max(200).optional(),
    method: z.string().max(4000).optional(),
    n: z.number().int().nonnegative().optional(),
    date: z.string().max(40).optional(),
    notes: z.string().max(8000).optional(),
  })
  .catchall(z.unknown());

export const HigherOrderGroup = z
  .object({
    id: NodeId,
    label: z.string().min(1).max(200),
    members: z.array(NodeId).min(1).max(500).describe('The value node ids in this group.'),
  })
  .strict()
  .describe(
    'A higher-order group of values (e.g. openness to change), summarised as the mean of its members.',
  );

export const BipolarAxis = z
  .object({
    id: NodeId.describe('The latent node this axis matches in sign.'),
    label: z.string().min(1).max(200),
    positive: NodeId.describe('The higher-order group at the positive pole.'),
    negative: NodeId.describe('The higher-order group at the negative pole.'),
  })
  .strict()
  .describe('A bipolar dimension: positive group − negative group.');

export const ValueSystemMeta = z
  .object({
    label: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The name of the value system (default: the title).'),
    higherOrder: z.array(HigherOrderGroup).max(100).optional(),
    bipolar: z.array(BipolarAxis).max(100).optional(),
  })
  .strict()
  .describe(
    'How profiles on this graph are summarised: the value system its `value` nodes form (their order is the display order).',
  );

export const GraphFile = z
  .object({
    $schema: z.string().optional(),
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(
        /^[a-z0-9][a-z0-9-]*$/,
        'a graph id is lower-case letters, digits and dashes, e.g. "schwartz-10"',
      ),
    version: z.string().min(1).max(40),
    title: z.string().max(200).optional(),
    description: z.string().max(8000).optional(),
    scale: z
      .string()
      .max(200)
      .optional()
      .describe('The scale the value nodes are on, e.g. "centered" (MRAT-centered PVQ scores).'),
    provenance: Provenance.optional(),
    valueSystem: ValueSystemMeta.optional(),
    nodes: z.array(GraphNode).min(1).max(5000),
    edges: z.array(Edge).max(50000),
  })
  .strict();

export type GraphFile = z.infer<typeof GraphFile>;
export type GraphNode = z.infer<typeof GraphNode>;
export type Mechanism = z.infer<typeof Mechanism>;
export type NodeKind = z.infer<typeof NodeKind>;
export type ValueSystemMeta = z.infer<typeof ValueSystemMeta>;
