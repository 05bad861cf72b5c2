/**
 * The embedded template generator: the offline default. Deterministic, no network, no model weights:
 * it writes a stance line and key points from the counterfactual priorities and the concepts to
 * express (using the concepts' own phrases, so the attributor can read the profile back). Every
 * response that uses it says so (`generator.name = "template"`); it does not answer the question's
 * substance the way a language model would.
 */
import type { GenerateRequest, GenerateResult, Generator, StreamEvent } from './types.js';

export const TEMPLATE_MODEL = 'pluralign-template-1';

/** What the template writes from: the conditioning in structured form. */
export interface AnswerPlan {
  /** Values most → least important, with their 1–5 level. */
  priorities: Array<{ value: string; label: string; level: number; description: string }>;
  /** Concepts to express, strongest first. */
  express: Array<{ label: string; description: string; phrases: string[]; values: string[] }>;
}

export interface TemplateRequest extends GenerateRequest {
  plan?: AnswerPlan;
}

const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);
const trimDot = (s: string) => s.replace(/[.\s]+$/, '');

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
              `I want to ${lowerFirst(trimDot(c.label))} (${lowerFirst(trimDot(c.description))}), which means ${c.phrases
                .slice(0, 2)
                .join(' and ')}`,
          )
          .join('; ')
      : lowerFirst(trimDot(p.description));
    points.push(`${lead}: ${detail}.`);
  }
  for (const { c } of plan.express
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => !used.has(i))
    .slice(0, 2)) {
    points.push(
      `It also matters to ${lowerFirst(trimDot(c.label))}, because ${c.phrases.slice(0, 2).join(' and ')} count.`,
    );
  }
  if (middle.length) {
    points.push(
      `${middle.map((p) => p.label).join(', ')}: worth a passing thought, but not what decides it for me.`,
    );
  }
  if (points.length === 0)
    points.push(
      'No value stands out strongly for me here, so I would weigh the practical details case by case.',
    );
  return `Stance: neutral\n\n${points.map((p, i) => `${i + 1}. ${p}`).join('\n')}\n`;
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
