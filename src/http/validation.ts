/**
 * Request validation with the zod schemas of `schemas/api.ts`, reported as a list of bad fields with
 * their paths. (fastify-type-provider-zod's own validator is not used: its errors lose the branches of
 * unions, e.g. which field of an inline graph is wrong.)
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { AlignBody } from '../../schemas/align.js';
import { CounterfactualBody } from '../../schemas/api.js';
import type { ErrorDetail } from '../errors.js';
import { missingFieldMessage, unknownFieldMessage } from '../hints.js';
import { quickAlignBody } from './align-body-fast.js';
import { acceptCounterfactualBody } from './counterfactual-body-fast.js';

type Issue = z.core.$ZodIssue;
type Part = 'body' | 'querystring' | 'params' | 'headers';

/** A request part failed its schema; `details` lists every bad field. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  readonly part: Part;
  readonly details: ErrorDetail[];

  constructor(part: Part, issues: readonly Issue[]) {
    const details = flattenIssues(issues, PART_PREFIX[part]);
    const first = details[0];
    const where = first?.path ? `${first.path}: ` : '';
    const more = details.length > 1 ? ` (and ${details.length - 1} more problem(s), see details)` : '';
    super(`the request ${PART_NAME[part]} is invalid: ${where}${first?.message ?? 'invalid input'}${more}`);
    this.name = 'RequestValidationError';
    this.part = part;
    this.details = details;
  }
}

const PART_PREFIX: Record<Part, PropertyKey[]> = {
  body: [],
  querystring: ['query'],
  params: ['params'],
  headers: ['headers'],
};
const PART_NAME: Record<Part, string> = {
  body: 'body',
  querystring: 'query string',
  params: 'path',
  headers: 'headers',
};

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Is this union branch "wrong type altogether" (a single type mismatch at the union's own level)? */
function isTypeMismatch(branch: readonly Issue[]): boolean {
  return branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0;
}

/**
 * Zod issues → details. Union errors are unfolded: the branches whose type matched report their own
 * fields; when no branch's type matched, one detail says which types are accepted.
 */
export function flattenIssues(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const informative = issue.errors.filter((b) => !isTypeMismatch(b));
      if (informative.length === 0) {
        const expected = issue.errors.map((b) => (b[0] as { expected?: string }).expected ?? 'another type');
        out.push({
          path: formatPath(path),
          message: `expected ${[...new Set(expected)].join(' or ')}, received ${typeName(issue.input)}`,
        });
      } else {
        for (const branch of informative) out.push(...flattenIssues(branch, path));
      }
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), message: unknownFieldMessage(formatPath(path), key) });
      }
      continue;
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const message = missing ? missingFieldMessage(formatPath(path), issue.message) : issue.message;
    out.push({ path: formatPath(path), message });
  }
  return out;
}

/** An own-property-free plain object: a request with no query string (or no path parameters). */
function isEmptyObject(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  for (const key in data) if (Object.hasOwn(data, key)) return false;
  return Object.getOwnPropertySymbols(data).length === 0;
}

/**
 * Body schemas with a fast path: a function that returns the parsed body for the common, well-formed
 * shape (what zod would return) and undefined for anything else, which zod then parses (and reports).
 */
const FAST_PATHS = new Map<z.ZodType, (data: unknown) => unknown>([
  [CounterfactualBody, acceptCounterfactualBody],
  [AlignBody, quickAlignBody],
]);

/**
 * fastify validator compiler for zod schemas: the parsed (typed, defaulted) value, or the error.
 *
 * A query string or path that is empty (most GETs, e.g. every /healthz probe) is not parsed again
 * on each request: its schema's answer to `{}` is computed once, and a schema that accepts `{}` as
 * `{}` (NoQuery, an object of optional fields) gets a fresh `{}` (zod's strict-object parse of an
 * empty query was the largest JavaScript cost of a /healthz request).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = (httpPart ?? 'body') as Part;
  const validate = (data: unknown) => {
    const result = schema.safeParse(data, { reportInput: true });
    if (result.success) return { value: result.data };
    return { error: new RequestValidationError(part, result.error.issues) };
  };
  const fast = part === 'body' ? FAST_PATHS.get(schema) : undefined;
  if (fast) {
    return (data: unknown) => {
      const value = fast(data);
      return value !== undefined ? { value } : validate(data);
    };
  }
  if (part !== 'querystring' && part !== 'params') return validate;
  const empty = schema.safeParse({});
  const emptyIsEmpty = empty.success && isEmptyObject(empty.data);
  if (!emptyIsEmpty) return validate;
  return (data: unknown) => (isEmptyObject(data) ? { value: {} } : validate(data));
};
