/**
 * Overload protection: @fastify/under-pressure samples the event-loop delay, the heap and the optional
 * health check (every `sampleInterval`, 1 s by default), and a request that arrives while a threshold
 * is passed is refused with 503 OVERLOADED and Retry-After, except the liveness probe (a busy process
 * is not restarted).
 *
 * The plugin's own `onRequest` hook reads the request's route options (an object fastify builds on
 * every read) on every request; here it is registered in a context of its own that serves no route,
 * so its hook never runs, and the security layer's one `onRequest` hook asks `refusal` instead: one
 * comparison per threshold, the route's options read only when a threshold is passed.
 */
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

/** Seconds a client is told to wait when the server is overloaded. */
export const OVERLOAD_RETRY_AFTER_S = 10;

export interface OverloadGuard {
  /**
   * Null while the process keeps up (or for the liveness probe); else the error to refuse the request
   * with, its `retry-after` header set on the reply and a warning logged.
   */
  refusal(request: FastifyRequest, reply: FastifyReply): ApiError | null;
}

/** Starts the sampling (stopped when `fastify` closes) and returns the per-request check. */
export async function overloadGuard(
  fastify: FastifyInstance,
  options: FastifyUnderPressureOptions,
): Promise<OverloadGuard> {
  let monitor: Pick<FastifyInstance, 'isUnderPressure' | 'memoryUsage'> | null = null;
  // A context of its own: its hook applies to the routes of this context, and it has none.
  await fastify.register(async (own) => {
    await own.register(underPressure, { ...options, retryAfter: OVERLOAD_RETRY_AFTER_S });
    monitor = own;
  });
  const sampler = monitor as Pick<FastifyInstance, 'isUnderPressure' | 'memoryUsage'> | null;
  if (!sampler) throw new Error('@fastify/under-pressure did not register');
  const isUnderPressure = sampler.isUnderPressure.bind(sampler);
  const memoryUsage = sampler.memoryUsage.bind(sampler);
  const maxDelay = options.maxEventLoopDelay ?? 0;
  const maxHeap = options.maxHeapUsedBytes ?? 0;
  const maxRss = options.maxRssBytes ?? 0;
  return {
    refusal(request, reply) {
      if (!isUnderPressure() || request.routeOptions.config.probe === 'liveness') return null;
      const usage = memoryUsage();
      const [type, value] =
        maxDelay > 0 && usage.eventLoopDelay > maxDelay
          ? ['eventLoopDelay', usage.eventLoopDelay]
          : maxHeap > 0 && usage.heapUsed > maxHeap
            ? ['heapUsedBytes', usage.heapUsed]
            : maxRss > 0 && usage.rssBytes > maxRss
              ? ['rssBytes', usage.rssBytes]
              : ['healthCheck', undefined];
      reply.header('retry-after', OVERLOAD_RETRY_AFTER_S);
      request.log.warn({ type, value }, 'overloaded: refusing the request');
      return new ApiError(
        'OVERLOADED',
        `the server is overloaded; retry in ${OVERLOAD_RETRY_AFTER_S} seconds (Retry-After)`,
      );
    },
  };
}
