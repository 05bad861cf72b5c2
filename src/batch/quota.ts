/**
 * The per-key batch quota (both queues; Redis mode checks it in a script, see redis-scripts.ts): how much unfinished work one API key may have stored at
 * once, in lines (queued or running) and in bytes of request bodies (of its unfinished batches). A new
 * batch that would pass either is refused whole (429 BATCH_QUOTA_EXCEEDED), before anything is stored.
 */
import type { BatchQuota } from '../config/index.js';

export type { BatchQuota };

/** Unfinished work of one key. */
export interface InFlight {
  lines: number;
  bytes: number;
}

/** Bytes of a batch's input as the quota counts them: its request bodies, serialised as JSON. */
export function inputBytes(bodies: readonly string[]): number {
  let bytes = 0;
  for (const b of bodies) bytes += Buffer.byteLength(b);
  return bytes;
}

/** A batch refused by the quota; the message says what is in flight and what to do. */
export class BatchQuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchQuotaError';
  }
}

/** Throws BatchQuotaError when adding `lines` lines of `bytes` bytes to `current` passes the quota. */
export function checkQuota(quota: BatchQuota, current: InFlight, lines: number, bytes: number): void {
  const over = (limit: number, used: number, adding: number) => limit > 0 && used + adding > limit;
  const what = (used: number, adding: number, limit: number, unit: string, name: string) =>
    `this batch has ${adding} ${unit} and this API key has ${used} ${unit} in unfinished batches; at most ${limit} are allowed at once (${name})`;
  const advice =
    'wait for your running batches to finish, cancel one (POST /v1/batches/{id}/cancel), or split the input';
  if (over(quota.lines, current.lines, lines))
    throw new BatchQuotaError(
      `${what(current.lines, lines, quota.lines, 'lines', 'BATCH_QUOTA_LINES')}: ${advice}`,
    );
  if (over(quota.bytes, current.bytes, bytes))
    throw new BatchQuotaError(
      `${what(current.bytes, bytes, quota.bytes, 'bytes', 'BATCH_QUOTA_BYTES')}: ${advice}`,
    );
}
