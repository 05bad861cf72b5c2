/**
 * The shared backends a replica depends on when the service is scaled out, and their readiness:
 * - the graph database (DATABASE_URL): custom graphs;
 * - Redis (REDIS_URL): batch records and lines, and the rate-limit counters of every replica.
 * `GET /readyz` answers 503 while one of them does not answer, so a load balancer sends no traffic to a
 * replica that could not serve it, and sends it again as soon as the backend is back.
 */
import { Redis } from 'ioredis';

export interface BackendCheck {
  /** What the operator reads in the 503 message, e.g. "the graph database (DATABASE_URL)". */
  name: string;
  /** Resolves when the backend answers. */
  check: () => Promise<unknown>;
}

/** How long a readiness check waits for a backend before calling it unreachable. */
export const READINESS_TIMEOUT_MS = 2000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The names of the backends that do not answer (all checked at once, each within `timeoutMs`). */
export async function unreachable(
  checks: readonly BackendCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<string[]> {
  const results = await Promise.allSettled(checks.map((c) => within(c.check(), timeoutMs)));
  return checks.filter((_, i) => results[i]!.status === 'rejected').map((c) => c.name);
}

/**
 * The connection of the shared rate-limit counters. Commands fail at once while Redis is unreachable
 * (no offline queue, one attempt), so a request is answered 503 quickly instead of waiting; ioredis
 * reconnects in the background and the limits work again as soon as Redis is back.
 */
export function rateLimitRedis(url: string, onError: (err: Error) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  redis.on('error', onError);
  return redis;
}
