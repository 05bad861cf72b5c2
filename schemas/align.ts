/**
 * Schemas of the alignment routes: POST /v1/align (and its alias POST /align), POST /v1/attributions
 * and the OpenAI-compatible POST /v1/chat/completions. Same conventions as schemas/api.ts.
 */
import { z } from 'zod';
import { ProfileFormat } from './api.js';
import EXAMPLES from './examples/align.json' with { type: 'json' };

/** Request/response examples, written by `npm run examples:align` from the real app. */
const ex = EXAMPLES as Record<string, Record<string, { summary: string; value: unknown }>>;

const Likert = z.number().describe("COUPLE's 1–5 scale.");

export const TargetProfile = z
  .strictObject({
    format: ProfileFormat.default('likert5').describe(
      'The scale of `values` (default `likert5`), or `ranking`.',
    ),
    values: z
      .record(z.string(), z.number())
      .optional()
      .describe('A score per value (friendly names accepted: "Self-Direction", "self_direction").'),
    ranking: z.array(z.string()).optional().describe('Value names, most important first (format `ranking`).'),
  })
  .meta({
    id: 'TargetProfile',
    description: 'A value profile; only the values the caller cares about need to be given.',
  });

export const Factual = z
  .strictObject({
    preset: z
      .string()
      .min(1)
      .max(120)
      .optional()
      .describe('A preset id from GET /v1/presets, e.g. `human:mean`, `llm:gpt-4o-2024-08-06`.'),
    profile: TargetProfile.optional().describe('The responder’s own profile.'),
    response: z
      .string()
      .min(1)
      .max(20000)
      .optional()
      .describe('A factual answer to attribute (SCM abduction from the concepts it expresses).'),
  })
  .refine((f) => [f.preset, f.profile, f.response].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of factual.preset, factual.profile, factual.response',
  })
  .meta({
    id: 'Factual',
    description:
      'The responder before steering. Default: the Value Portrait profile of the model that answers (the request’s `model`, else the backend’s; `gpt-4o-mini` matches `llm:gpt-4o-mini-2024-07-18` by family and dated alias), otherwise `human:mean`. In `mode: "rewrite"` only `response` may be given: it is the draft to rewrite.',
  });

export const AlignModeField = z
  .enum(['prompt', 'rewrite'])
  .describe(
    '`prompt` (default): one generation conditioned on the counterfactual profile. `rewrite`: COUPLE’s counterfactual rewrite — the model drafts an answer to the bare question, the attributor reads the draft’s values (the factual profile: the model’s own values for this question), abduction → action → prediction on the SCM, then the model rewrites its draft to the counterfactual profile, keeping its style (three upstream calls with an LLM backend, four with the `llm` attributor). `factual.response`, when given, is the draft. If the rewrite fails the draft is the answer (`rewrite.rewritten: false`).',
  );

const REWRITE_FACTUAL_MESSAGE =
  'mode "rewrite" reads the factual profile from the draft answer: remove factual.preset and factual.profile (factual.response is taken as the draft to rewrite)';

/** Refuse a factual preset or profile with mode rewrite (the draft is the factual). */
export function checkRewriteFactual(
  body: { mode?: string | undefined; factual?: { preset?: unknown; profile?: unknown } | undefined },
  ctx: z.core.$RefinementCtx,
): void {
  if (body.mode !== 'rewrite' || !body.factual) return;
  for (const key of ['preset', 'profile'] as const)
    if (body.factual[key] !== undefined)
      ctx.addIssue({ code: 'custom', path: ['factual', key], message: REWRITE_FACTUAL_MESSAGE });
}

export const AlignRequest = z
  .strictObject({
    question: z
      .string()
      .trim()
      .min(1, 'question must not be empty')
      .max(8000)
      .describe('The question to answer.'),
    target: TargetProfile,
    graph: z.string().min(1).max(64).optional().describe('The value system (default `schwartz-10`).'),
    factual: Factual.optional(),
    mode: AlignModeField.default('prompt'),
    action: z
      .enum(['structured', 'do'])
      .default('structured')
      .describe(
        '`structured` (default): a backtracking (conditional) counterfactual. The set values are set, and the latent higher-order dimensions are set to where a person with those values most likely sits (regularised least squares; with the default `lambda` this is E[H | targets] when the factual profile is the population mean), capped at 2 population sd; the unset values follow from the latents as inferences, not effects. `notes` says when a target has no latent parent or the move was capped. `do`: only the set values change.',
      ),
    lambda: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe(
        'Regularisation of the structured action. Default: the targets’ noise variance over the latents’ prior variance, which makes the chosen latents the posterior mean given the targets.',
      ),
    conditioning: z
      .enum(['scm', 'value-prompt', 'none'])
      .default('scm')
      .describe(
        '`scm` (default): the counterfactual profile and concepts. `value-prompt`: only the target list (a baseline). `none`: the raw question (a baseline).',
      ),
    verify: z
      .boolean()
      .default(false)
      .describe('Attribute the answer back to values: MAE and Spearman ρ vs the target.'),
    refine: z
      .number()
      .int()
      .min(0)
      .max(3)
      .default(0)
      .describe(
        'Regenerate up to this many times with feedback on the dimensions that missed (implies verify).',
      ),
    attributor: z
      .enum(['learned', 'phrases', 'llm'])
      .default('learned')
      .describe(
        'Who reads the answer (and a factual `response`) back to values for verify and refine: `learned` (default, embedded), `phrases` (embedded) or `llm` (the generator rates concepts; not with `template`).',
      ),
    stream: z.boolean().default(false).describe('Answer as server-sent events (see the description).'),
    generator: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe('`template` (embedded) or `openai` (when configured).'),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Override the backend model; its Value Portrait profile becomes the default factual.'),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(16000).optional(),
    explain: z
      .strictObject({
        chart: z
          .boolean()
          .default(false)
          .describe('Add `chart`: an SVG radar chart of factual vs target vs counterfactual values.'),
      })
      .optional(),
  })
  .superRefine(checkRewriteFactual)
  .meta({ description: 'A question and a target value profile.' });

/** The route's body schema: inline in the document, with the request examples. */
export const AlignBody = AlignRequest.meta({
  description: 'A question and a target value profile.',
  'x-examples': ex.alignRequest,
});

export type AlignRequestT = z.output<typeof AlignRequest>;

const Contribution = z.object({ intervention: z.string(), amount: z.number() });
const PathContribution = z.object({
  intervention: z.string(),
  path: z.array(z.string()),
  amount: z.number(),
  structured: z.boolean().optional(),
  inferred: z
    .boolean()
    .describe(
      'True for a path through a latent the structured action chose: an inference (the latent was picked to explain the target), not a causal effect.',
    ),
  text: z
    .string()
    .describe(
      'The path in words: inferred ones backwards with ← ("universalism ← self-transcendence ↔ self-enhancement ← benevolence, inferred"), causal ones with →.',
    ),
});

export const ValueExplanation = z
  .object({
    value: z.string(),
    label: z.string(),
    rank: z.number().int(),
    status: z.enum(['set', 'inferred']),
    factual: Likert,
    counterfactual: Likert,
    target: Likert.nullable(),
    change: z.number(),
    sd: z
      .number()
      .describe(
        'Posterior sd of the counterfactual (likert points): the partial factual evidence’s plus what the latents’ posterior uncertainty adds; 0 for set values.',
      ),
    level: z
      .number()
      .int()
      .describe(
        'The rubric level (1–5): a set value’s target; an inferred value’s counterfactual, kept within 2–4 (the prompt names it only when its change is large against its sd).',
      ),
    centered: z.object({ factual: z.number(), counterfactual: z.number(), target: z.number().nullable() }),
    contributions: z.array(Contribution).describe('Likert points of change contributed by each target.'),
    paths: z
      .array(PathContribution)
      .describe(
        'The largest paths of the change: causal edges, or inferences through a latent (`inferred`).',
      ),
  })
  .meta({ id: 'ValueExplanation' });

const ConceptSummary = z.object({
  concept: z.string(),
  label: z.string(),
  values: z.array(z.string()),
  z: z.number(),
  change: z.number(),
});

const ChatMessage = z.object({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string() });

export const AlignExplanation = z
  .object({
    graph: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
    action: z.enum(['structured', 'do']),
    method: z.string(),
    values: z.array(ValueExplanation),
    latents: z
      .array(
        z.object({
          node: z.string(),
          label: z.string(),
          from: z.number(),
          to: z.number(),
          sd: z
            .number()
            .describe('Posterior sd of the chosen value given the targets (and the factual evidence).'),
          capped: z.boolean().describe('True when the move was cut to the cap (2 population sd).'),
        }),
      )
      .describe('The latents the structured action set, from the factual value to the chosen one.'),
    notes: z
      .array(z.string())
      .describe(
        'What the structured action could not do as asked: a target with no latent parent (set as do() would), a latent also acted on, a move capped.',
      ),
    concepts: z.object({ express: z.array(ConceptSummary), avoid: z.array(ConceptSummary) }),
    summary: z.string(),
    conditioning: z.object({ mode: z.enum(['scm', 'value-prompt', 'none']), messages: z.array(ChatMessage) }),
  })
  .meta({
    id: 'AlignExplanation',
    description: 'Why the profile is what it is, from the SCM (never from the language model).',
  });

const VerificationResult = z
  .object({
    attributor: z.enum(['learned', 'phrases', 'llm']),
    mae: z.number(),
    spearman: z.number().nullable(),
    dimensions: z.array(
      z.object({ value: z.string(), target: z.number(), attributed: z.number(), error: z.number() }),
    ),
    attributed: z.array(z.object({ value: z.string(), likert5: z.number(), sd: z.number() })),
    attempt: z.number().int(),
  })
  .describe("The answer attributed back to values, against the target (COUPLE's metrics).");

export const Verification = z
  .union([
    VerificationResult,
    z
      .object({
        attributor: z.enum(['learned', 'phrases', 'llm']),
        error: z
          .object({ code: z.string(), message: z.string() })
          .describe(
            'Why the answer is not verified (e.g. `ATTRIBUTION_LLM_INVALID`: the judge’s JSON was incomplete).',
          ),
        attempt: z.number().int(),
      })
      .describe('A verification that failed: the answer is kept and returned, unverified.'),
  ])
  .meta({
    id: 'Verification',
    description:
      "The answer attributed back to values, against the target (COUPLE's metrics); or, when the attributor failed, `error` (the answer is still returned).",
  });

export const Usage = z.object({
  upstreamCalls: z.number().int(),
  upstreamAttempts: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
});

export const GeneratorInfo = z.object({
  name: z.string(),
  model: z.string(),
  embedded: z.boolean(),
  note: z.string().optional(),
});

export const FactualSource = z
  .object({
    kind: z.enum(['preset', 'profile', 'response', 'prior', 'draft']),
    preset: z.string().optional(),
    why: z
      .string()
      .describe(
        'Why this profile: named by the caller, or the answering model’s Value Portrait preset and how its id matched, or why none did.',
      ),
    match: z
      .enum(['exact', 'alias', 'family'])
      .optional()
      .describe(
        'How the answering model’s id matched its preset: `exact`, `alias` (an undated id → its newest dated snapshot) or `family` (another dated snapshot → the closest one).',
      ),
  })
  .meta({
    id: 'FactualSource',
    description:
      "Where the factual profile came from: a preset (named, or the answering model's own, else `human:mean`), the caller's profile, an attributed response, `prior` (no preset fits the graph: its value nodes' population means) or `draft` (mode rewrite: the draft answer, attributed).",
  });

const DraftValue = z.object({ value: z.string(), likert5: Likert, sd: z.number() });

const StageCalls = z.object({
  draft: z.number().int(),
  attribution: z.number().int(),
  rewrite: z.number().int(),
});

export const RewriteInfo = z
  .object({
    draft: z.string().describe('The model’s own answer to the bare question (or `factual.response`).'),
    draftSource: z.enum(['generated', 'factual.response']),
    attributor: z.enum(['learned', 'phrases', 'llm']),
    attributed: z.array(DraftValue).describe('The draft’s values as read back: the factual profile.'),
    rewritten: z.boolean().describe('False when the rewrite failed: `answer` is the draft.'),
    error: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .describe('Why the rewrite failed (the upstream error), when it did.'),
    calls: StageCalls.describe('Upstream calls per stage (the rewrite’s include its verification).'),
  })
  .meta({ id: 'RewriteInfo', description: 'The stages of `mode: "rewrite"`.' });

export const AlignResponse = z
  .object({
    graph: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
    generator: GeneratorInfo,
    factual: FactualSource,
    answer: z.string(),
    attempt: z.number().int(),
    explanation: AlignExplanation,
    verification: Verification.nullable(),
    usage: Usage,
    servedModel: z.string(),
    rewrite: RewriteInfo.optional().describe(
      'With `mode: "rewrite"`: the draft, its attribution, the calls per stage.',
    ),
    chart: z.string().optional().describe('The radar chart (SVG), with `explain.chart`.'),
    notes: z
      .array(z.string())
      .optional()
      .describe(
        'Warnings, only when there are some: every value set to one level (e.g. all at 5: no priorities); two opposite values of the value circle both at 5 (opposites from the graph’s bipolar axes, e.g. power and universalism); a non-English `factual.response` or answer read back by an embedded detector (it reads English only, so its profile is not a reading of the text).',
      ),
  })
  .meta({
    description: 'The answer, the counterfactual profile behind it and its explanation.',
  });

export const AlignResponseBody = AlignResponse.meta({
  description: 'The answer and its explanation (or an event stream with `stream: true`).',
  'x-examples': ex.alignResponse,
});

// ---------------------------------------------------------------------------------------------
// Attributions

export const AttributionRequest = z
  .strictObject({
    text: z.string().trim().min(1, 'text must not be empty').max(20000),
    graph: z.string().min(1).max(64).optional().describe('The value system (default `schwartz-10`).'),
    detector: z
      .enum(['learned', 'phrases', 'llm'])
      .default('learned')
      .describe(
        '`learned` (default): the embedded detector learned from human-labelled arguments (calibrated probabilities). `phrases`: the embedded phrase matcher. `llm`: the configured backend rates each concept.',
      ),
  })
  .meta({ description: 'A text to read a value profile from.' });

export const AttributionBody = AttributionRequest.meta({
  description: 'A text to read a value profile from.',
  'x-examples': ex.attributionRequest,
});

export const AttributionResponse = z
  .object({
    graph: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
    detector: z.enum(['learned', 'phrases', 'llm']),
    detectorVersion: z
      .string()
      .optional()
      .describe('The learned detector’s artefact version (learned only).'),
    values: z.array(
      z.object({
        value: z.string(),
        label: z.string(),
        mean: z.number().describe('Posterior mean (centered scale).'),
        sd: z.number().describe('Posterior sd (centered scale).'),
        likert5: Likert,
        likert5Sd: z.number().describe('The sd in likert points (unclamped).'),
        interval: z.tuple([z.number(), z.number()]).describe('95% interval on the 1–5 scale.'),
        basis: z
          .enum(['concepts', 'absent', 'prior'])
          .describe(
            'What informs it: concept evidence, absence readings (a long text that never touches it), or nothing.',
          ),
      }),
    ),
    concepts: z.array(
      z.object({
        concept: z.string(),
        label: z.string(),
        value: z.string().optional().describe('Its main parent value.'),
        values: z.array(z.string()),
        group: z.string().optional(),
        matches: z.number().int().describe('Affirmed phrase matches.'),
        negated: z.number().int().describe('Negated matches ("not about power"): reported, not evidence.'),
        phrases: z.array(z.string()),
        spans: z
          .array(z.tuple([z.number(), z.number()]))
          .describe(
            'Character spans [start, end) of what drove the detection: the phrase matches (`phrases`, `llm`) or the words with the largest positive weights (`learned`, see `drivers`).',
          ),
        negatedSpans: z.array(z.tuple([z.number(), z.number()])),
        status: z.enum(['present', 'contradicted', 'absent', 'negated']),
        evidence: z.number().nullable().describe('The value observed on the concept node, or null.'),
        level: z.number().nullable(),
        rating: z.number().optional().describe('The LLM’s rating (−1…3), llm detector only.'),
        probability: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe('Calibrated probability that the text expresses the concept (learned detector only).'),
        threshold: z
          .number()
          .optional()
          .describe('The learned threshold: `status` is `present` when `probability` ≥ it (learned only).'),
        drivers: z
          .array(
            z.object({
              start: z.number().int(),
              end: z.number().int(),
              text: z.string(),
              weight: z.number().describe('Contribution to the concept’s logit.'),
            }),
          )
          .optional()
          .describe('The words that drove the detection, strongest first (learned only).'),
      }),
    ),
    categories: z
      .array(
        z.object({
          name: z.string(),
          probability: z.number().min(0).max(1),
          threshold: z.number(),
          present: z.boolean(),
        }),
      )
      .optional()
      .describe('The taxonomy’s 20 value categories with their probabilities (learned detector only).'),
    endorsement: z
      .array(
        z.object({
          value: z.string(),
          score: z
            .number()
            .describe('How much people high on this value would endorse the text (a correlation, −1…1).'),
          shift: z.number().describe('Its move from the population’s level; 0 when the text says nothing.'),
        }),
      )
      .optional()
      .describe(
        'The calibrated endorsement profile (learned detector, schwartz-10): fitted on Value Portrait’s dev part, it keeps the population’s ordering where the text says nothing. See docs/value-detector.md.',
      ),
    evidenceNodes: z.number().int(),
    absenceReadings: z.number().describe('Absence readings given to each value the text never touches.'),
    words: z.number().int(),
    notes: z
      .array(z.string())
      .optional()
      .describe(
        'Warnings, only when there are some: the text is not English (recognised by franc-min) and an embedded detector read it, so the profile is not a reading of it (how many values rest on the prior, on absence readings, on stray concept matches).',
      ),
  })
  .meta({
    description: 'The value posterior inferred from the concepts the text expresses.',
  });

export const AttributionResponseBody = AttributionResponse.meta({
  description: 'The value posterior.',
  'x-examples': ex.attributionResponse,
});

// ---------------------------------------------------------------------------------------------
// OpenAI-compatible chat completions

export const ValueProfileExtension = z
  .strictObject({
    target: TargetProfile,
    graph: z.string().min(1).max(64).optional(),
    factual: Factual.optional(),
    action: z.enum(['structured', 'do']).optional(),
    lambda: z.number().min(0).max(100).optional(),
    verify: z.boolean().optional(),
    generator: z.string().min(1).max(40).optional(),
    mode: AlignModeField.optional(),
    attributor: z
      .enum(['learned', 'phrases', 'llm'])
      .optional()
      .describe('Who reads the draft (mode rewrite) and the answer (verify) back: default `learned`.'),
  })
  .superRefine(checkRewriteFactual)
  .meta({
    id: 'ValueProfileExtension',
    description: 'pluralign’s extension of the OpenAI request: the value profile.',
  });

const Forwarded = (what: string) =>
  z
    .unknown()
    .optional()
    .describe(
      `${what} Sent to the OpenAI-compatible upstream as given; with the embedded \`template\` generator a 400 names it (it cannot honour it).`,
    );

export const ChatCompletionRequest = z
  .object({
    model: z.string().max(200).optional(),
    messages: z
      .array(
        z
          .object({
            role: z.string(),
            content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
          })
          .passthrough(),
      )
      .min(1, 'messages must hold at least one message'),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).optional(),
    response_format: Forwarded('JSON mode (`{"type":"json_object"}`) or structured output (`json_schema`).'),
    tools: Forwarded('Function tools; tool calls come back as OpenAI sends them.'),
    tool_choice: Forwarded('Which tool the model must call.'),
    stop: Forwarded('Stop sequences (the template generator honours them: it cuts its answer there).'),
    seed: Forwarded('Sampling seed (the template generator is deterministic: accepted).'),
    n: Forwarded('Number of choices; the explanation and the verification are for choice 0.'),
    logprobs: Forwarded('Token log-probabilities (with `top_logprobs`).'),
    user: Forwarded('End-user id (the template generator logs it).'),
    value_profile: ValueProfileExtension.optional().describe(
      'The value profile. Without it the request is proxied to the upstream unchanged (same body, same streaming, same errors).',
    ),
  })
  .passthrough()
  .meta({
    description:
      'An OpenAI chat completion request, with pluralign’s `value_profile` extension. With it, the whole conversation goes to the model, steered to the profile: messages in order, each user turn delimited; the caller’s system messages follow the value conditioning in the system turn. Every other field is sent upstream as given.',
  });

export const ChatCompletionBody = ChatCompletionRequest.meta({
  description: 'An OpenAI chat completion request, with an optional `value_profile` extension.',
  'x-examples': {
    profile: {
      summary: 'An OpenAI request with a value profile',
      value: {
        model: 'any',
        messages: [{ role: 'user', content: 'Should I lend money to my brother?' }],
        value_profile: { target: { format: 'likert5', values: { benevolence: 5, security: 4 } } },
      },
    },
  },
});

export const PluralignExtension = z
  .object({
    explanation_id: z
      .string()
      .describe('Fetch the same object later with GET /v1/explanations/{id} (kept in memory for a while).'),
    generator: GeneratorInfo,
    explanation: AlignExplanation,
    verification: Verification.nullable(),
    factual: FactualSource.optional(),
    rewrite: RewriteInfo.optional().describe('With `mode: "rewrite"`.'),
  })
  .meta({
    id: 'PluralignExtension',
    description:
      'pluralign’s part of a steered completion: the generator, the causal explanation and the verification. In a stream it rides on the last chunk (the one with `finish_reason`).',
  });

export const ChatCompletionResponse = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int(),
          message: z
            .object({ role: z.literal('assistant'), content: z.string().nullable() })
            .passthrough()
            .describe('The message as the upstream sent it (`tool_calls`, `refusal`… included).'),
          finish_reason: z.string().nullable(),
        })
        .passthrough(),
    ),
    usage: z
      .object({
        prompt_tokens: z.number().int(),
        completion_tokens: z.number().int(),
        total_tokens: z.number().int(),
      })
      .passthrough()
      .optional(),
    pluralign: PluralignExtension.optional().describe('Present when the request had a `value_profile`.'),
  })
  .passthrough()
  .meta({
    description: 'An OpenAI chat completion, plus the `pluralign` explanation when steered.',
  });

export const StoredExplanation = z
  .object({
    id: z.string(),
    created: z.number().int().describe('Unix seconds, the `created` of the completion.'),
    completion_id: z.string().describe('The `id` of the chat completion it belongs to.'),
    pluralign: PluralignExtension,
  })
  .meta({ description: 'The explanation of one steered chat completion.' });

export const StoredExplanationBody = StoredExplanation.meta({
  description: 'The explanation of one steered chat completion.',
  'x-examples': {
    stored: {
      summary: 'The `pluralign` object of a streamed completion',
      value: {
        id: 'expl_5f0c6d1e9a3b4c7d8e2f1a0b',
        created: 1795000000,
        completion_id: 'chatcmpl-req1',
        pluralign: {
          explanation_id: 'expl_5f0c6d1e9a3b4c7d8e2f1a0b',
          generator: { name: 'template', model: 'pluralign-template-1', embedded: true },
          explanation: (ex.alignResponse?.align?.value as { explanation?: unknown } | undefined)?.explanation,
          verification: null,
        },
      },
    },
  },
});

export const ChatCompletionResponseBody = ChatCompletionResponse.meta({
  description: 'A chat completion (or a chunk stream with `stream: true`).',
  'x-examples': {
    completion: {
      summary: 'The shape of a completion (the explanation is the one of POST /v1/align)',
      value: {
        id: 'chatcmpl-req1',
        object: 'chat.completion',
        created: 1795000000,
        model: 'pluralign-template-1',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Stance: neutral\n\n1. …' },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        pluralign: {
          explanation_id: 'expl_5f0c6d1e9a3b4c7d8e2f1a0b',
          generator: { name: 'template', model: 'pluralign-template-1', embedded: true },
          explanation: (ex.alignResponse?.align?.value as { explanation?: unknown } | undefined)?.explanation,
          verification: null,
        },
      },
    },
  },
});
