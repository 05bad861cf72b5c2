/**
 * Schemas of POST /v1/decisions: rank candidate actions for a value profile. Same conventions as
 * schemas/align.ts (inline in the document, with examples written from the real app).
 */
import { z } from 'zod';
import { TargetProfile } from './align.js';
import EXAMPLES from './examples/decisions.json' with { type: 'json' };

/** Request/response examples, written by `npm run examples:decisions` from the real app. */
const ex = EXAMPLES as Record<string, Record<string, { summary: string; value: unknown }>>;

export const MIN_ACTIONS = 2;
export const MAX_ACTIONS = 20;

const Action = z
  .string()
  .trim()
  .min(1, 'an action must not be empty; remove it or write what the person would do')
  .max(500, 'an action is at most 500 characters');

export const DecisionRequest = z
  .strictObject({
    scenario: z
      .string()
      .trim()
      .min(1, 'scenario must not be empty')
      .max(4000)
      .describe('The situation the person is in.'),
    actions: z
      .array(Action)
      .min(MIN_ACTIONS, `give at least ${MIN_ACTIONS} actions to choose between`)
      .max(MAX_ACTIONS, `give at most ${MAX_ACTIONS} actions; split the decision`)
      .describe(`The candidate actions (${MIN_ACTIONS}–${MAX_ACTIONS} non-empty strings).`),
    target: TargetProfile.describe(
      'The person’s value profile, in any format, on the graph’s values; a partial one is completed by the structured action.',
    ),
    graph: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('The value system (default `schwartz-10`), e.g. `valuepilot-6`.'),
    factual: z
      .strictObject({
        preset: z.string().min(1).max(120).optional().describe('A preset id from GET /v1/presets.'),
        profile: TargetProfile.optional().describe('A profile.'),
      })
      .refine((f) => f.preset === undefined || f.profile === undefined, {
        message: 'give at most one of factual.preset, factual.profile',
      })
      .optional()
      .describe(
        'Where the abduction starts (only values the target leaves out are affected). Default: the graph’s `human:mean` preset, else its population prior.',
      ),
    mode: z
      .enum(['embedded', 'llm'])
      .default('embedded')
      .describe(
        '`embedded` (default): the learned value detector and contra cues read each action in the scenario’s context, the SCM posterior gives its relevance to each value. `llm`: the configured backend rates every action against every value in one call.',
      ),
    method: z
      .enum(['weighted-sum', 'topsis', 'promethee'])
      .default('weighted-sum')
      .describe(
        'How relevance and weights become a ranking: `weighted-sum` (default), `topsis` (closeness to the ideal action), `promethee` (PROMETHEE II net flow, linear preference with q = 0.05, p = 0.5). Weights: each value’s 1–5 level → (level − 1) / 4, normalised to sum 1.',
      ),
    action: z
      .enum(['structured', 'do'])
      .default('structured')
      .describe(
        'How a partial target is completed: `structured` (default) or `do` (unset values stay factual).',
      ),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('`llm` mode: the model id (default: the backend’s).'),
  })
  .meta({ description: 'A scenario, candidate actions and a value profile.' });

/** The route's body schema, with the request examples. */
export const DecisionBody = DecisionRequest.meta({
  description: 'A scenario, candidate actions and a value profile.',
  'x-examples': ex.decisionRequest,
});

export type DecisionRequestT = z.output<typeof DecisionRequest>;

const ValueScore = z.object({
  value: z.string(),
  label: z.string(),
  relevance: z
    .number()
    .describe(
      'Standardised relevance of the action to the value: + serves it, − goes against it (±1 ≈ one population sd).',
    ),
  sd: z.number().describe('Uncertainty of the relevance (posterior sd, same units).'),
  contribution: z.number().describe('The value’s part of the action’s score under the method.'),
});

const ConceptEvidence = z.object({
  concept: z.string(),
  label: z.string(),
  evidence: z.number().describe('−1 (against) … 1 (for).'),
  sources: z.array(
    z.object({
      kind: z.enum(['detector', 'phrase', 'negated', 'contra']),
      text: z.string(),
    }),
  ),
});

export const DecisionResponse = z
  .object({
    graph: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
    mode: z.enum(['embedded', 'llm']),
    method: z.enum(['weighted-sum', 'topsis', 'promethee']),
    reader: z
      .object({
        kind: z.enum(['learned', 'llm']),
        version: z.string().optional(),
        model: z.string().optional(),
      })
      .describe('What read the actions: the learned detector (its artefact version) or the backend’s model.'),
    ranking: z
      .array(z.number().int())
      .describe('Action indices (0-based, as given), most to least preferred.'),
    actions: z.array(
      z.object({
        index: z.number().int(),
        action: z.string(),
        rank: z.number().int().describe('1 = most preferred.'),
        score: z.number(),
        values: z.array(ValueScore),
        evidence: z
          .array(ConceptEvidence)
          .optional()
          .describe('Embedded mode: the concept evidence read from the action.'),
      }),
    ),
    profile: z
      .object({
        action: z.enum(['structured', 'do']),
        factual: z.object({ kind: z.enum(['preset', 'profile', 'prior']), preset: z.string().optional() }),
        values: z.array(
          z.object({
            value: z.string(),
            label: z.string(),
            status: z.enum(['set', 'inferred']),
            likert5: z.number().describe('Counterfactual level, 1–5.'),
            sd: z.number().describe('Its sd in likert points (0 for set values).'),
            weight: z.number().describe('Criterion weight (the values’ weights sum to 1).'),
          }),
        ),
      })
      .describe(
        'The counterfactual profile used (the target, completed by the structured action) and the weights.',
      ),
    explanation: z
      .object({
        top: z.number().int(),
        runnerUp: z.number().int(),
        margin: z.number(),
        drivers: z.array(
          z.object({
            value: z.string(),
            label: z.string(),
            difference: z.number(),
            weight: z.number(),
            top: z.number(),
            runnerUp: z.number(),
          }),
        ),
        text: z.string(),
      })
      .describe('Why the top action beat the runner-up: per-value differences of their contributions.'),
    usage: z.object({
      upstreamCalls: z.number().int(),
      upstreamAttempts: z.number().int(),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
    }),
  })
  .meta({ description: 'The actions ranked for the profile, with the reasons.' });

export const DecisionResponseBody = DecisionResponse.meta({
  description: 'The actions ranked for the profile, with the reasons.',
  'x-examples': ex.decisionResponse,
});
