/**
 * A fast path for the common POST /v1/align body: a question, a target profile of scores or a ranking,
 * and a few flags. zod's parse of the whole AlignRequest schema (17 fields, defaults, a refinement) was
 * the largest cost of validating an alignment; a body of this plain shape is checked here field by
 * field and given the very object zod would give (same fields, defaults and key order: the tests
 * compare the two on many bodies). Anything else — another field, a value out of range, a wrong type —
 * returns undefined and goes to zod, so every error message stays zod's.
 */
import type { AlignRequestT } from '../../schemas/align.js';
import { isPlainObject } from './counterfactual-body-fast.js';

const FORMATS: ReadonlySet<unknown> = new Set(['likert5', 'pvq6', 'centered', 'ranking']);
const TARGET_KEYS: ReadonlySet<string> = new Set(['format', 'values', 'ranking']);

/** The body's optional fields this path reads: their values, or a check of a string's length. */
const ENUMS: Readonly<Record<string, ReadonlySet<unknown>>> = {
  mode: new Set(['prompt', 'rewrite']),
  action: new Set(['structured', 'do']),
  conditioning: new Set(['scm', 'value-prompt', 'none']),
  attributor: new Set(['learned', 'phrases', 'llm']),
};
const STRINGS: Readonly<Record<string, number>> = { graph: 64, generator: 40, model: 200 };
const BOOLEANS: ReadonlySet<string> = new Set(['verify', 'stream']);
/** The fields this path knows, in the schema's order (zod's output order). */
const ORDER = [
  'question',
  'target',
  'graph',
  'mode',
  'action',
  'conditioning',
  'verify',
  'refine',
  'attributor',
  'stream',
  'generator',
  'model',
] as const;
const DEFAULTS: Readonly<Record<string, unknown>> = {
  mode: 'prompt',
  action: 'structured',
  conditioning: 'scm',
  verify: false,
  refine: 0,
  attributor: 'learned',
  stream: false,
};
const KNOWN: ReadonlySet<string> = new Set(ORDER.filter((k) => k !== 'refine'));

function quickTarget(t: unknown): AlignRequestT['target'] | undefined {
  if (!isPlainObject(t)) return undefined;
  for (const key in t) if (!TARGET_KEYS.has(key)) return undefined;
  const { format, values, ranking } = t;
  if (format !== undefined && !FORMATS.has(format)) return undefined;
  const out: AlignRequestT['target'] = { format: (format ?? 'likert5') as AlignRequestT['target']['format'] };
  if (values !== undefined) {
    if (!isPlainObject(values)) return undefined;
    const copy: Record<string, number> = {};
    for (const key in values) {
      const v = values[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
      copy[key] = v;
    }
    out.values = copy;
  }
  if (ranking !== undefined) {
    if (!Array.isArray(ranking) || !ranking.every((r) => typeof r === 'string')) return undefined;
    out.ranking = [...(ranking as string[])];
  }
  return out;
}

/** The parsed body (as AlignRequest's zod parse gives it), or undefined: parse it with zod. */
export function quickAlignBody(body: unknown): AlignRequestT | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const key in body) if (!KNOWN.has(key) || body[key] === undefined) return undefined;
  const q = body['question'];
  if (typeof q !== 'string') return undefined;
  const question = q.trim();
  if (question.length < 1 || question.length > 8000) return undefined;
  const target = quickTarget(body['target']);
  if (!target) return undefined;
  const out: Record<string, unknown> = { question, target };
  for (const key of ORDER) {
    if (key === 'question' || key === 'target') continue;
    const v = body[key];
    if (v === undefined) {
      if (key in DEFAULTS) out[key] = DEFAULTS[key];
      continue;
    }
    const max = STRINGS[key];
    const ok =
      max !== undefined
        ? typeof v === 'string' && v.length >= 1 && v.length <= max
        : BOOLEANS.has(key)
          ? typeof v === 'boolean'
          : ENUMS[key]!.has(v);
    if (!ok) return undefined;
    out[key] = v;
  }
  return out as AlignRequestT;
}
