/**
 * What-to-fix hints added to 400 messages for the mistakes a new user makes: value scores put
 * directly under `target` (they belong under `target.values`), a missing `target` (or `profile` in
 * its place), a misspelt node in a counterfactual query (did you mean …?).
 */
import type { Program } from './scm/index.js';
import { closestName } from './values/names.js';
import { DomainError, type ErrorDetail } from './errors.js';

/** Fields that hold a value profile: their scores go under `<field>.values`. */
const PROFILE_FIELDS = /(^|\.)(target|profile)$/;

export const TARGET_EXAMPLE = '"target": {"format": "likert5", "values": {"benevolence": 5, "security": 4}}';

/** The message for an unknown field `key` at `path` (the path of the object holding it). */
export function unknownFieldMessage(path: string, key: string): string {
  if (PROFILE_FIELDS.test(path)) {
    return `unknown field "${key}" in ${path}; value scores go under ${path}.values, e.g. {"values": {"${key}": 5}} (or a "ranking" list)`;
  }
  if (key === 'profile' && path === '') {
    return `unknown field "profile"; the value profile goes in "target", e.g. ${TARGET_EXAMPLE}`;
  }
  return `unknown field "${key}"; remove it (check its spelling against the API schema)`;
}

/** The message for a required field that is missing. */
export function missingFieldMessage(path: string, message: string): string {
  if (/(^|\.)target$/.test(path)) return `${message}: give the value profile, e.g. ${TARGET_EXAMPLE}`;
  return message;
}

/** An UNKNOWN_NODE error with "did you mean" for each misspelt node the program has a close match for. */
export function withNodeSuggestions(err: DomainError, program: Program): DomainError {
  if (err.code !== 'UNKNOWN_NODE') return err;
  let message = err.message;
  const details: ErrorDetail[] = err.details.map((d) => {
    const node = d.node;
    if (node === undefined || program.index.has(node)) return d;
    const close = closestName(node, program.ids);
    if (!close) return d;
    const hint = `; did you mean "${close}"?`;
    if (message.includes(`"${node}"`) && !message.includes(hint)) message += hint;
    return { ...d, message: `${d.message}${hint}` };
  });
  return new DomainError(err.code, message, details);
}
