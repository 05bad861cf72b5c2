/**
 * The embedded template generator: the offline default. Deterministic, no network, no model weights:
 * it writes a stance line and key points from the counterfactual priorities and the concepts to
 * express (using the concepts' own phrases, so the attributor can read the profile back). Every
 * response that uses it says so (`generator.name = "template"`); it does not answer the question's
 * substance the way a language model would. It names the question, takes a stance from the profile
 * and the values the question touches (stanceFor), and writes 3 to 5 key points.
 */
import type { GeneratorBackend } from './backend.js';
import type {
  AnswerPlan,
  GenerateRequest,
  GenerateResult,
  Generator,
  GeneratorCapabilities,
  StreamEvent,
} from './types.js';

export type { AnswerPlan } from './types.js';
export type TemplateRequest = GenerateRequest;

export const TEMPLATE_MODEL = 'pluralign-template-1';

export const TEMPLATE_CAPABILITIES: GeneratorCapabilities = {
  embedded: true,
  readsPlan: true,
  structuredOutput: false,
  forwardsParams: false,
  note: 'written by the embedded template generator (deterministic, offline), not by a language model; set OPENAI_BASE_URL to use one',
};

const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);
const trimDot = (s: string) => s.replace(/[.\s]+$/, '');

/** A concept's label as a noun phrase: "Be creative" → "being creative", "Be respecting traditions" → "respecting traditions". */
export function gerund(label: string): string {
  const l = trimDot(label);
  if (/^be \w+ing\b/i.test(l)) return lowerFirst(l.slice(3));
  if (/^be /i.test(l)) return `being ${l.slice(3)}`;
  if (/^have /i.test(l)) return `having ${l.slice(5)}`;
  return lowerFirst(l);
}

/** Questions a yes or a no answers (English): "Should I…", "Is it…", "Do you…". */
const YES_NO =
  /^\s*(should|shall|is|are|am|was|were|do|does|did|can|could|would|will|must|may|might|has|have)\b/i;

const words = (text: string) => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;

/**
 * The stance line: for a yes/no question, the balance of the values the question touches (a concept
 * phrase or a value's name in the question) weighted by how far their level is from the middle: the
 * question leans towards what the person values (yes) or against it (no). Otherwise, and when nothing
 * is touched, neutral.
 */
export function stanceFor(plan: AnswerPlan): 'yes' | 'no' | 'neutral' {
  const q = plan.question;
  if (!q || !YES_NO.test(q)) return 'neutral';
  const text = words(q);
  const level = new Map(plan.priorities.map((p) => [p.value, p.level]));
  const touched = new Set<string>();
  for (const c of [...plan.express, ...(plan.avoid ?? [])]) {
    if (c.phrases.some((ph) => text.includes(words(ph)))) c.values.forEach((v) => touched.add(v));
  }
  // A value's name, also as the start of a word ("tradition" in "traditions").
  for (const p of plan.priorities) if (text.includes(words(p.label).trimEnd())) touched.add(p.value);
  let score = 0;
  for (const v of touched) score += (level.get(v) ?? 3) - 3;
  return score > 0 ? 'yes' : score < 0 ? 'no' : 'neutral';
}

/** The question, quoted and cut to about 100 characters at a word boundary. */
function quoted(question: string): string {
  const q = question.replace(/\s+/g, ' ').trim();
  if (q.length <= 100) return `“${q}”`;
  return `“${q.slice(0, 100).replace(/\s+\S*$/, '')}…”`;
}

/** 3 to 5 key points, as the conditioning asks of a language model. */
export function writeFromPlan(plan: AnswerPlan): string {
  const top = plan.priorities.filter((p) => p.level >= 4);
  const middle = plan.priorities.filter((p) => p.level === 3);
  const points: string[] = [];
  const used = new Set<number>();
  for (const p of top.slice(0, 3)) {
    const cues = plan.express
      .map((c, i) => ({ c, i }))
      .filter(({ c, i }) => !used.has(i) && c.values.includes(p.value))
      .slice(0, 2);
    cues.forEach(({ i }) => used.add(i));
    const lead = p.level === 5 ? `${p.label} comes first for me here` : `${p.label} also shapes how I see it`;
    const detail = cues.length
      ? cues
          .map(
            ({ c }) =>
              `I care about ${gerund(c.label)} (${lowerFirst(trimDot(c.description))}), so ${c.phrases.slice(0, 2).join(' and ')} weigh in my answer`,
          )
          .join('; ')
      : `I care about ${lowerFirst(trimDot(p.description))}`;
    points.push(`${lead}: ${detail}.`);
  }
  for (const { c } of plan.express
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => !used.has(i))
    .slice(0, 2)) {
    points.push(
      `${gerund(c.label)[0]!.toUpperCase()}${gerund(c.label).slice(1)} matters to me as well: ${c.phrases.slice(0, 2).join(' and ')} count.`,
    );
  }
  if (middle.length) {
    points.push(
      `${middle.map((p) => p.label).join(', ')}: worth a passing thought, but not what decides it for me.`,
    );
  }
  const kept = points.slice(0, 5);
  const fillers = [
    'No value stands out strongly for me here, so I would weigh the practical details case by case.',
    'I would look at the concrete situation before settling it.',
    'Whatever I decide, I would want to be able to explain it plainly.',
  ];
  for (const f of fillers) if (kept.length < 3) kept.push(f);
  const opening = plan.question ? `Asked ${quoted(plan.question)}, I answer from what I value.\n\n` : '';
  return `Stance: ${stanceFor(plan)}\n\n${opening}${kept.map((p, i) => `${i + 1}. ${p}`).join('\n')}\n`;
}

/** OpenAI's `stop`: the text up to the first stop sequence (a string or a list of them). */
export function cutAtStop(text: string, stop: unknown): string {
  const list = (Array.isArray(stop) ? stop : [stop]).filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  const at = Math.min(...list.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  return Number.isFinite(at) ? text.slice(0, at) : text;
}

export class TemplateGenerator implements Generator {
  readonly name = 'template';
  readonly model = TEMPLATE_MODEL;
  readonly capabilities = TEMPLATE_CAPABILITIES;

  async generate(req: TemplateRequest): Promise<GenerateResult> {
    return this.write(req);
  }

  async collect(req: TemplateRequest): Promise<GenerateResult> {
    return this.write(req);
  }

  async *stream(req: TemplateRequest): AsyncIterable<StreamEvent> {
    const result = this.write(req);
    // Deltas of a few words, like a model's stream; deterministic.
    const pieces = result.text.match(/\S+\s*/g) ?? [];
    for (let i = 0; i < pieces.length; i += 4) {
      if (req.signal?.aborted) return;
      yield { type: 'delta', text: pieces.slice(i, i + 4).join('') };
      await new Promise((r) => setImmediate(r));
    }
    yield { type: 'end', result };
  }

  private write(req: TemplateRequest): GenerateResult {
    if (!req.plan) {
      throw new TypeError('the template generator writes from an answer plan (request.plan); none was given');
    }
    return {
      text: cutAtStop(writeFromPlan(req.plan), req.params?.['stop']),
      model: TEMPLATE_MODEL,
      attempts: 0,
      finishReason: 'stop',
    };
  }
}

/** The `template` backend: embedded, always offered, no variables. */
export const templateBackend: GeneratorBackend<Record<never, never>> = {
  name: 'template',
  env: {},
  vars: {},
  enabled: () => true,
  requires: [],
  howToEnable: 'it is always available',
  create: () => new TemplateGenerator(),
};
