/**
 * The explanation of an alignment: one object, built by one function, for the JSON response and the
 * stream alike (the stream sends it first, the JSON carries it whole). Everything in it comes from the
 * SCM, not from the language model: factual and counterfactual levels of every value, which were set
 * and which followed, the contribution of each target along each causal path, the latent dimensions
 * the structured action moved, the concepts to express and avoid, a plain-language summary, and the
 * conditioning sent to the model.
 */
import type { ChatMessage } from '../generator/types.js';
import type { Contribution, PathContribution } from '../scm/index.js';
import type { Conditioning, ConditioningMode } from './conditioning.js';
import { likert, type ConceptCue, type CounterfactualProfile } from './profile.js';
import { summarize } from './summary.js';

export interface ValueExplanation {
  value: string;
  label: string;
  rank: number;
  status: 'set' | 'inferred';
  factual: number;
  counterfactual: number;
  target: number | null;
  change: number;
  /** ± sd of the counterfactual (likert5 points), where the factual profile was partial evidence. */
  sd: number;
  level: number;
  /** Centered-scale numbers, as in the graph. */
  centered: { factual: number; counterfactual: number; target: number | null };
  /** Likert points contributed by each caller target (sums to `change` up to the 1–5 clamp). */
  contributions: Contribution[];
  /**
   * The largest paths of the change. A path through a latent the structured action chose is an
   * inference (`inferred: true`): the latent was picked to explain the target, so the path runs against
   * the edge from the latent to the target; `text` reads it that way ("universalism ← self-transcendence
   * ← benevolence, inferred"). Other paths follow causal edges (`inferred: false`).
   */
  paths: Array<PathContribution & { inferred: boolean; text: string }>;
}

export interface AlignExplanation {
  graph: { id: string; version: string; hash: string };
  action: 'structured' | 'do';
  method: string;
  values: ValueExplanation[];
  /** The latents the structured action set: from ĥ to h* (capped), with h*'s posterior sd. */
  latents: Array<{ node: string; label: string; from: number; to: number; sd: number; capped: boolean }>;
  /** What the action could not do as asked (no latent parent, a latent also acted on, a capped move). */
  notes: string[];
  concepts: { express: ConceptSummary[]; avoid: ConceptSummary[] };
  summary: string;
  conditioning: { mode: ConditioningMode; messages: ChatMessage[] };
}

export interface ConceptSummary {
  concept: string;
  label: string;
  values: string[];
  z: number;
  change: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const LIKERT_PER_CENTERED = 1 / 1.25;

function concept(c: ConceptCue): ConceptSummary {
  return { concept: c.concept, label: c.label, values: c.values, z: round(c.z, 3), change: round(c.change) };
}

/** The question-blind part of an explanation (cached per profile); concepts, summary and conditioning follow the question. */
type StaticParts = Omit<AlignExplanation, 'conditioning' | 'concepts' | 'summary'>;

/** The explanation of a frozen (shared, cached) profile, without its conditioning: built once. */
const staticParts = new WeakMap<CounterfactualProfile, StaticParts>();
/** Which shared parts an explanation was built from, and their JSON's UTF-8 bytes (without the closing brace). */
const partsOf = new WeakMap<AlignExplanation, StaticParts>();
const partsBytes = new WeakMap<StaticParts, Buffer>();
/** The whole JSON of a shared explanation as UTF-8 bytes (question-head.ts). */
const wholeBytes = new WeakMap<AlignExplanation, Buffer>();
const reused = new WeakSet<AlignExplanation>();

export function buildExplanation(
  profile: CounterfactualProfile,
  conditioning: Conditioning,
  chosen: Pick<CounterfactualProfile, 'express' | 'avoid'> = profile,
): AlignExplanation {
  const frozen = Object.isFrozen(profile);
  let parts = frozen ? staticParts.get(profile) : undefined;
  if (!parts) {
    parts = explainProfile(profile);
    if (frozen) staticParts.set(profile, Object.freeze(parts));
  }
  const concepts = { express: chosen.express.map(concept), avoid: chosen.avoid.map(concept) };
  const labels = new Map<string, string>(profile.values.map((v) => [v.value, v.label]));
  const explanation = {
    ...parts,
    concepts,
    summary: summarize({ ...parts, concepts }, labels),
    conditioning: {
      mode: conditioning.mode,
      // Role and text only: a turn's other OpenAI fields (tool calls) are the caller's, not the profile's.
      messages: conditioning.messages.map(({ role, content }) => ({ role, content })),
    },
  };
  if (!frozen) return explanation;
  partsOf.set(explanation, parts);
  return Object.freeze(explanation); // its JSON is cached: it must not change
}

/**
 * `JSON.stringify(explanation)` as UTF-8 bytes, in one or two pieces to be written one after the other:
 * the profile's part (values, paths, latents: most of the bytes) encoded once per cached profile
 * rather than on every answer, and the whole of a shared explanation (`shareExplanationJson`) once.
 * The text holds characters outside Latin-1 (←, ↔, —), which V8 keeps two bytes a character: encoding
 * 15 KB of it, and measuring it for the content-length, was the largest cost of an align response.
 */
export function explanationChunks(explanation: AlignExplanation): Buffer[] {
  const parts = partsOf.get(explanation);
  if (!parts) return [Buffer.from(JSON.stringify(explanation))];
  const whole = wholeBytes.get(explanation);
  if (whole !== undefined) return [whole];
  let head = partsBytes.get(parts);
  if (head === undefined) partsBytes.set(parts, (head = Buffer.from(JSON.stringify(parts).slice(0, -1))));
  const { concepts, summary, conditioning } = explanation;
  const tail = Buffer.from(
    `,"concepts":${JSON.stringify(concepts)},"summary":${JSON.stringify(summary)},"conditioning":${JSON.stringify(conditioning)}}`,
  );
  if (!reused.has(explanation)) return [head, tail];
  const bytes = Buffer.concat([head, tail]);
  wholeBytes.set(explanation, bytes);
  return [bytes];
}

/** `JSON.stringify(explanation)`, from the same pieces (`explanationChunks`). */
export function explanationJson(explanation: AlignExplanation): string {
  return Buffer.concat(explanationChunks(explanation)).toString('utf8');
}

/**
 * `JSON.stringify(object)` as UTF-8 bytes, between the texts `before` and `after`: an `explanation`
 * field is written from `explanationChunks`, every other field by JSON.stringify (the same text as
 * JSON.stringify of the whole object, in its key order; undefined fields left out).
 */
export function jsonBytesWithExplanation(object: object, before = '', after = ''): Buffer {
  const chunks: Buffer[] = [];
  let text = `${before}{`;
  let comma = '';
  for (const [key, value] of Object.entries(object)) {
    if (key === 'explanation' && value !== undefined) {
      chunks.push(
        Buffer.from(`${text}${comma}"explanation":`),
        ...explanationChunks(value as AlignExplanation),
      );
      text = '';
    } else {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) continue;
      text += `${comma}${JSON.stringify(key)}:${json}`;
    }
    comma = ',';
  }
  chunks.push(Buffer.from(`${text}}${after}`));
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Serialize `explanation` once from now on: it is shared by requests (a cached question head that
 * served again, question-head.ts), and frozen throughout.
 */
export function shareExplanationJson(explanation: AlignExplanation): void {
  if (partsOf.has(explanation)) reused.add(explanation);
}

/** Everything in the explanation that does not depend on the question. */
function explainProfile(profile: CounterfactualProfile): StaticParts {
  const ex = profile.result.explanation;
  const byNode = new Map(ex?.nodes.map((n) => [n.node, n]) ?? []);
  const values: ValueExplanation[] = profile.values.map((v) => {
    const node = byNode.get(v.value);
    return {
      value: v.value,
      label: v.label,
      rank: v.rank,
      status: v.status,
      factual: v.likert5.factual,
      counterfactual: v.likert5.counterfactual,
      target: v.likert5.target,
      // Unclamped change in likert points: what the contributions add up to (the levels are clamped to 1–5).
      change: round((v.counterfactual - v.factual) * LIKERT_PER_CENTERED),
      sd: round(v.sd * LIKERT_PER_CENTERED),
      level: v.level,
      centered: {
        factual: round(v.factual),
        counterfactual: round(v.counterfactual),
        target: v.target === null ? null : round(v.target),
      },
      contributions: (node?.contributions ?? []).map((c) => ({
        intervention: c.intervention,
        amount: round(c.amount * LIKERT_PER_CENTERED),
      })),
      paths: (node?.paths ?? []).map((p) => ({
        ...p,
        amount: round(p.amount * LIKERT_PER_CENTERED),
        inferred: p.structured === true,
        text: pathText(profile, p),
      })),
    };
  });
  const latents = profile.latents.map((l) => ({
    node: l.node,
    label: l.label,
    from: round(l.from),
    to: round(l.to),
    sd: round(l.sd),
    capped: l.capped,
  }));
  return {
    graph: profile.graph,
    action: profile.action,
    method: ex?.method ?? 'path-products',
    values,
    latents,
    notes: [...profile.notes],
  };
}

function labelOf(profile: CounterfactualProfile, id: string): string {
  return profile.latentLabels[id] ?? profile.values.find((v) => v.value === id)?.label ?? id;
}

/**
 * A path in words. Inferred (through a latent the structured action chose): from the explained value
 * back to the target, with ← and ", inferred". Causal: along the edges, with →.
 */
export function pathText(profile: CounterfactualProfile, p: PathContribution): string {
  const names = p.path.map((id) => labelOf(profile, id).toLowerCase());
  if (p.structured) return `${[...names].reverse().join(' ← ')}, inferred`;
  return names.join(' → ');
}

export { likert };
