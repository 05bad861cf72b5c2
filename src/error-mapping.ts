/**
 * The domain's errors (profiles, presets, generators, upstream, attribution) as catalogued errors
 * (src/errors.ts): one mapping for every front end that reports them in the error envelope (the HTTP
 * error handler, the batch executor's output lines).
 */
import { AttributionError } from './attribution/index.js';
import { DomainError } from './errors.js';
import { UpstreamError } from './generator/index.js';
import { AlignError } from './pipeline/align.js';
import { ProfileError } from './values/index.js';

/** Errors of the alignment pipeline (profiles, presets, generators, upstream, attribution) → a catalogued error, or null for any other error. */
export function fromPipelineError(err: unknown, prefix = ''): DomainError | null {
  const at = (path: string) => (prefix && path ? `${prefix}.${path}` : prefix || path);
  if (err instanceof ProfileError) {
    return new DomainError(
      err.code,
      err.message,
      err.issues.map((i) => ({ path: at(i.path), message: i.message })),
    );
  }
  if (err instanceof AlignError) {
    const code = err.code === 'NO_TARGET' ? 'INVALID_PROFILE' : err.code;
    return new DomainError(code, err.message, []);
  }
  if (err instanceof UpstreamError) {
    return new DomainError(err.code, err.message, []);
  }
  if (err instanceof AttributionError) {
    const code =
      err.code === 'ATTRIBUTION_UNKNOWN_VALUE'
        ? 'UNKNOWN_VALUE'
        : err.code === 'ATTRIBUTION_INVALID_TARGET'
          ? 'INVALID_PROFILE'
          : err.code;
    return new DomainError(code, err.message, []);
  }
  return null;
}
