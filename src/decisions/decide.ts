/**
 * The decision use case (POST /v1/decisions, the CLI's `decide`, batch lines, `pluralign eval --task
 * decisions`): a scenario, 2–20 candidate actions and a target value profile → the actions ranked by how
 * much that person would want to take them, explained by the SCM.
 *
 * 1. **Profile.** The target (any format, partial or whole) becomes the counterfactual profile of the
 *    align pipeline: abduction from the factual (a preset or profile; default the graph's human-mean
 *    preset, else its population prior), the structured action (set values at their targets, the rest
 *    inferred through the latent dimensions), prediction. Every value gets a 1–5 level.
 * 2. **Preference transform** (methods.ts `preferenceWeights`): level → 0–1 importance → weights that sum
 *    to 1.
 * 3. **Action → values**: embedded (relevance.ts: the learned detector and contra cues as concept
 *    evidence, the SCM posterior as relevance with its sd) or `llm` (llm.ts: one upstream call).
 * 4. **Ranking** by the method (weighted sum, TOPSIS, PROMETHEE II), each value's contribution, and why
 *    the top action beat the runner-up (explain.ts).
 */
import type { Generator } from '../generator/types.js';
import type { GraphEntry } from '../graphs/registry.js';
import { AlignError, centered, resolveEntry, type AlignDeps } from '../pipeline/align.js';
import { priorFactual } from '../pipeline/factual.js';
import { cachedProfile, type ActionMode } from '../pipeline/profile.js';
import { getPreset, type Profile } from '../values/index.js';
import { explainDecision, type DecisionExplanation } from './explain.js';
import { llmRelevance } from './llm.js';
import { preferenceWeights, rankByScore, scoreActions, type DecisionMethod } from './methods.js';
import { embeddedRelevance, type ConceptEvidence, type ValueRelevance } from './relevance.js';
import { valueDetector } from '../attribution/learned/registry.js';

export type DecisionMode = 'embedded' | 'llm';

export interface DecisionRequest {
  scenario: string;
  actions: string[];
  target: Profile;
  graph?: string | undefined;
  factual?: { preset?: string | undefined; profile?: Profile | undefined } | undefined;
  mode?: DecisionMode | undefined;
  method?: DecisionMethod | undefined;
  action?: ActionMode | undefined;
  /** `llm` mode: the model id (default: the backend's). */
  model?: string | undefined;
  requestId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The catalogue and the backends (the align pipeline's dependencies, less its default generator). */
export type DecisionDeps = Pick<AlignDeps, 'graphs' | 'generators' | 'defaultGraph'>;

export interface DecisionActionResult {
  index: number;
  action: string;
  /** 1 = most preferred. */
  rank: number;
  score: number;
  values: Array<{ value: string; label: string; relevance: number; sd: number; contribution: number }>;
  /** Embedded mode: the concept evidence read from the action. */
  evidence?: ConceptEvidence[];
}

export interface DecisionResult {
  graph: { id: string; version: string; hash: string };
  mode: DecisionMode;
  method: DecisionMethod;
  /** What read the actions: the learned detector (its version) or the backend's model. */
  reader: { kind: 'learned' | 'llm'; version?: string; model?: string };
  ranking: number[];
  actions: DecisionActionResult[];
  profile: {
    action: ActionMode;
    factual: { kind: 'preset' | 'profile' | 'prior'; preset?: string };
    values: Array<{
      value: string;
      label: string;
      status: 'set' | 'inferred';
      likert5: number;
      sd: number;
      weight: number;
    }>;
  };
  explanation: DecisionExplanation;
  usage: { upstreamCalls: number; upstreamAttempts: number; promptTokens: number; completionTokens: number };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

function llmGenerator(deps: DecisionDeps): Generator {
  const g = [...deps.generators.values()].find((x) => x.capabilities.structuredOutput);
  if (!g) {
    throw new AlignError(
      'GENERATOR_UNAVAILABLE',
      'mode "llm" needs an OpenAI-compatible backend (set OPENAI_BASE_URL); use mode "embedded"',
    );
  }
  return g;
}

function factualOf(
  entry: GraphEntry,
  req: DecisionRequest,
): { values: Record<string, number>; source: DecisionResult['profile']['factual'] } {
  if (req.factual?.profile) {
    return {
      values: centered(req.factual.profile, entry.system, 'factual.profile'),
      source: { kind: 'profile' },
    };
  }
  const id = req.factual?.preset;
  if (id !== undefined) {
    const preset = getPreset(id);
    if (!preset)
      throw new AlignError('UNKNOWN_PRESET', `no preset "${id}"; GET /v1/presets lists them`, { preset: id });
    if (preset.system !== entry.id) {
      throw new AlignError(
        'UNKNOWN_PRESET',
        `preset "${id}" is for graph "${preset.system}", not "${entry.id}"; GET /v1/presets?system=${entry.id} lists this graph's presets`,
        { preset: id },
      );
    }
    return { values: preset.values, source: { kind: 'preset', preset: preset.id } };
  }
  const human = getPreset('human:mean');
  if (human && human.system === entry.id)
    return { values: human.values, source: { kind: 'preset', preset: human.id } };
  return { values: priorFactual(entry), source: { kind: 'prior' } };
}

/** Rank the actions of a decision for a value profile. */
export async function decide(deps: DecisionDeps, req: DecisionRequest): Promise<DecisionResult> {
  const entry = resolveEntry(deps, req.graph);
  const mode = req.mode ?? 'embedded';
  const method = req.method ?? 'weighted-sum';
  const generator = mode === 'llm' ? llmGenerator(deps) : null;
  const target = centered(req.target, entry.system, 'target');
  if (Object.keys(target).length === 0) {
    throw new AlignError(
      'NO_TARGET',
      'the target profile sets no value; give at least one value in target.values or target.ranking',
    );
  }
  const factual = factualOf(entry, req);
  const profile = cachedProfile(entry, { factual: factual.values, target, action: req.action });
  // The profile lists values by priority; the decision works in the value system's (display) order.
  const ids = entry.system.values.map((v) => v.id);
  const byId = new Map(profile.values.map((v) => [v.value, v]));
  const ordered = ids.map((id) => byId.get(id)!);
  const weights = preferenceWeights(ordered.map((v) => v.likert5.counterfactual));

  const usage = { upstreamCalls: 0, upstreamAttempts: 0, promptTokens: 0, completionTokens: 0 };
  let relevance: ValueRelevance[][];
  let evidence: ConceptEvidence[][] | null = null;
  let reader: DecisionResult['reader'];
  if (generator) {
    const r = await llmRelevance(entry, req.scenario, req.actions, generator, {
      model: req.model,
      requestId: req.requestId,
      signal: req.signal,
    });
    relevance = r.relevance;
    usage.upstreamCalls = 1;
    usage.upstreamAttempts = r.upstream.attempts;
    usage.promptTokens = r.upstream.promptTokens;
    usage.completionTokens = r.upstream.completionTokens;
    reader = { kind: 'llm', model: r.upstream.model };
  } else {
    const r = embeddedRelevance(entry, req.scenario, req.actions);
    relevance = r.map((a) => a.values);
    evidence = r.map((a) => a.concepts);
    reader = { kind: 'learned', version: valueDetector().artefact.version };
  }
  const R = relevance.map((row) => ids.map((id) => row.find((x) => x.value === id)?.mean ?? 0));
  const { scores, contributions } = scoreActions(method, R, weights);
  const ranking = rankByScore(scores);
  const rankOf = new Map(ranking.map((a, r) => [a, r + 1]));
  const labels = ordered.map((v) => ({ id: v.value, label: v.label }));
  const explanation = explainDecision({
    ranking,
    actions: req.actions,
    scores: scores.map(round),
    contributions: contributions.map((row) => row.map(round)),
    relevance: R,
    weights,
    values: labels,
  });
  return {
    graph: { id: entry.id, version: entry.version, hash: entry.hash },
    mode,
    method,
    reader,
    ranking,
    actions: req.actions.map((action, a) => ({
      index: a,
      action,
      rank: rankOf.get(a)!,
      score: round(scores[a]!),
      values: ids.map((id, k) => ({
        value: id,
        label: labels[k]!.label,
        relevance: round(R[a]![k]!),
        sd: round(relevance[a]!.find((x) => x.value === id)?.sd ?? 0),
        contribution: round(contributions[a]![k]!),
      })),
      ...(evidence ? { evidence: evidence[a]! } : {}),
    })),
    profile: {
      action: profile.action,
      factual: factual.source,
      values: ordered.map((v, k) => ({
        value: v.value,
        label: v.label,
        status: v.status,
        likert5: v.likert5.counterfactual,
        sd: round(v.sd / 1.25),
        weight: round(weights[k]!),
      })),
    },
    explanation,
    usage,
  };
}
