/**
 * A plain proxy to the OpenAI-compatible upstream, for chat requests without a value profile: the
 * caller's JSON body goes upstream byte for byte, and the upstream's answer comes back as it is —
 * its status, its JSON or its event stream, its error bodies. Nothing is retried (a retry would not be
 * a plain proxy); the total deadline still applies and the call is cancelled when the caller leaves.
 * Only a failure to reach the upstream at all becomes an UpstreamError (there is no upstream answer to
 * pass on).
 */
import { UpstreamError } from './errors.js';
import type { ProxyTarget } from './openai.js';

export interface PassThroughOptions {
  /** The caller went away. */
  signal: AbortSignal;
  /** Total deadline of the call, streams included. */
  deadlineMs: number;
  /** Sent as `x-client-request-id` (OpenAI's correlation header). */
  requestId: string;
}

/** The upstream's response; its body is not read yet. */
export async function passThrough(
  target: ProxyTarget,
  body: string,
  options: PassThroughOptions,
): Promise<Response> {
  const deadline = AbortSignal.timeout(options.deadlineMs);
  try {
    return await target.fetch(target.url, {
      method: 'POST',
      headers: {
        ...target.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-client-request-id': options.requestId.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 96),
      },
      body,
      signal: AbortSignal.any([options.signal, deadline]),
    });
  } catch (err) {
    if (options.signal.aborted) {
      throw new UpstreamError({
        kind: 'cancelled',
        message: 'the caller went away',
        attempts: 1,
        cause: err,
      });
    }
    if (deadline.aborted) {
      const message = `the upstream did not answer within ${options.deadlineMs} ms`;
      throw new UpstreamError({ kind: 'deadline', message, attempts: 1, cause: err });
    }
    throw new UpstreamError({
      kind: 'connection',
      message: 'could not reach the upstream',
      attempts: 1,
      cause: err,
    });
  }
}
