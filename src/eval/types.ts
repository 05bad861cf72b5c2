/** The evaluation's vocabulary: methods, protocols, inputs and the rows of a results file. */
import type { ConditioningMode } from '../pipeline/conditioning.js';
import type { ItemKey, Profile } from '../values/index.js';
import type { Scoring } from './direct.js';

/**
 * The methods compared (couple.md §7's baselines that need no extra machinery):
 * - `raw`: the bare question (conditioning `none`);
 * - `value-prompt`: the target's value:score list pasted into the prompt (COUPLE's strongest simple baseline);
 * - `pluralign`: the structured counterfactual conditioning (conditioning `scm`);
 * - `pluralign+refine`: the same, then up to `refine` regenerations with feedback on the missed dimensions;
 * - `rewrite`: COUPLE's counterfactual rewrite (align `mode: "rewrite"`): the model's draft, attributed,
 *   is the factual profile, and the draft is rewritten to the counterfactual one.
 */
export const METHODS = ['raw', 'value-prompt', 'pluralign', 'pluralign+refine', 'rewrite'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_CONDITIONING: Readonly<Record<Method, ConditioningMode>> = {
  raw: 'none',
  'value-prompt': 'value-prompt',
  pluralign: 'scm',
  'pluralign+refine': 'scm',
  rewrite: 'scm',
};

/**
 * - `answers`: align an answer to each question, attribute it back to values, compare with the target;
 * - `questionnaire`: the steered persona rates portrait items 1–6, MRAT-centered, compared with the target.
 */
export const PROTOCOLS = ['answers', 'questionnaire'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type AttributorKind = 'learned' | 'phrases' | 'llm';

export interface EvalQuestion {
  id: string;
  text: string;
  topic?: string | undefined;
  values?: string[] | undefined;
}

export interface EvalProfile {
  id: string;
  label: string;
  group?: string | undefined;
  /** Where it comes from (a preset id, a derivation). */
  source?: string | undefined;
  /** The target: only the dimensions that are measured. */
  target: Profile;
  /** The target on COUPLE's 1–5 scale, by value id (derived from `target`, as the pipeline does). */
  likert5: Record<string, number>;
  /** The target as centered scores, by value id. */
  centered: Record<string, number>;
}

export interface PortraitItem {
  id: string;
  text: string;
}

export interface ItemSet {
  id: string;
  label: string;
  system: string;
  scale: { min: number; max: number };
  items: PortraitItem[];
  /** Value id → item ids (resolved in `system`), with reverse-keyed items; MRAT over every item. */
  key: ItemKey;
  /** Fingerprint of the items and key (a changed file is a different task). */
  hash: string;
}

/** Upstream use of one task, by role. */
export interface Usage {
  calls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
}

export interface TaskCost {
  generator: Usage;
  judge: Usage;
}

export interface DimensionScore {
  value: string;
  target: number;
  attributed: number;
}

interface RowBase {
  key: string;
  method: Method;
  profile: string;
  /** Mean absolute error (likert5 points) on the profile's set dimensions; null when the task failed. */
  mae: number | null;
  /** Spearman ρ (average ranks for ties); null when undefined or the task failed. */
  spearman: number | null;
  dimensions: DimensionScore[];
  cost: TaskCost;
  ms: number;
  at: string;
  error?: { code: string; message: string };
}

export interface AnswerRow extends RowBase {
  kind: 'answer';
  question: string;
  answer: string;
  attempt: number;
  servedModel: string;
  attributor: AttributorKind;
}

export interface QuestionnaireRow extends RowBase {
  kind: 'questionnaire';
  items: string;
  /** Ratings 1–6 by item id. */
  ratings: Record<string, number>;
  /** MRAT-centered scores by value id. */
  centered: Record<string, number>;
  mrat: number | null;
  /** How the ratings were obtained. */
  respondent: 'derived' | 'model';
}

/** The settings that make results comparable; a results file holds one run's settings. */
export interface RunSettings {
  graph: string;
  generator: string;
  model: string;
  attributor: AttributorKind;
  /**
   * How an answer's attribution becomes scores: `direct` (per-value readings of the concept evidence,
   * no SCM; direct.ts) or `scm` (the SCM posterior, which imputes untouched values through the graph).
   * Results files written before this setting existed were scored `scm`.
   */
  scoring: Scoring;
  judge: string | null;
  factual: string | null;
  refine: number;
  temperature: number | null;
  maxTokens: number | null;
  questionnaireBatch: number;
  seed: number;
}

export interface MetaRow {
  kind: 'meta';
  version: 1;
  settings: RunSettings;
  at: string;
}

export type ResultRow = AnswerRow | QuestionnaireRow;
