/**
 * Request ids: a well-formed `x-request-id` from the caller (1–128 characters of letters, digits and
 * `-_.:`) is kept so ids correlate across services; anything else is replaced by a fresh UUID. The id
 * is on every log line of the request and in the `x-request-id` response header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

export function genReqId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return isWellFormedRequestId(given) ? given : randomUUID();
}
