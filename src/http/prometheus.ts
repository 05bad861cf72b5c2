/**
 * Prometheus metrics (`GET /metrics`, text exposition format). Each app has its own prom-client
 * `Registry` (tests build several apps in one process), holding:
 *
 * - `pluralign_http_requests_total` and `pluralign_http_request_duration_seconds` by method, route
 *   pattern (`/v1/graphs/:id`, never the raw URL; `(unmatched)` for a 404 outside every route) and status;
 * - `pluralign_upstream_calls_total`, `pluralign_upstream_attempts_total`, `pluralign_upstream_retries_total`
 *   per generator and upstream, `pluralign_upstream_breaker_state` (1 for the current state) and
 *   `pluralign_upstream_breaker_transitions_total` per upstream;
 * - `pluralign_counterfactual_query_duration_seconds`: engine time of one counterfactual request (a batch
 *   is one observation), without HTTP parsing or serialisation;
 * - `pluralign_generator_info`: the generators offered (1) and which is the default;
 * - prom-client's default process metrics (CPU, memory, event loop lag, handles…).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CircuitBreaker, type BreakerState } from '../generator/circuit-breaker.js';
import { UpstreamError } from '../generator/errors.js';
import type { GenerateRequest, GenerateResult, Generator, StreamEvent } from '../generator/types.js';
import type { GeneratorSetup } from '../generator/registry.js';
import { LiteCounter, LiteHistogram, type HistogramSeries } from './prom-lite.js';

/** The route label of a request that matched no route (404 handler). */
export const UNMATCHED_ROUTE = '(unmatched)';

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

/** Label of an upstream: the breaker's name (its base URL) or the generator's name. */
function upstreamOf(g: Generator): string {
  const breaker = (g as { breaker?: unknown }).breaker;
  return breaker instanceof CircuitBreaker ? breaker.name : g.name;
}

export class AppMetrics {
  readonly registry = new Registry();
  // The per-request and per-call series are prom-lite's (cheap to record, see prom-lite.ts).
  private readonly requests: LiteCounter;
  private readonly duration: LiteHistogram;
  private readonly calls: LiteCounter;
  private readonly attempts: LiteCounter;
  private readonly retries: LiteCounter;
  private readonly transitions: Counter<'upstream' | 'to'>;
  private readonly counterfactual: LiteHistogram;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly generatorInfo: Gauge<'generator' | 'model' | 'default'>;
  /** The counterfactual worker pool, once its route is registered (its gauge reads the pool's stats). */
  computePool: { stats(): Record<'starting' | 'idle' | 'busy' | 'queued', number> } | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const r = this.registry;
    this.requests = new LiteCounter(
      'pluralign_http_requests_total',
      'HTTP requests answered, by method, route pattern and status code.',
      ['method', 'route', 'status'],
      r,
    );
    this.duration = new LiteHistogram(
      'pluralign_http_request_duration_seconds',
      'Time from receiving a request to the end of its response, by method, route pattern and status.',
      ['method', 'route', 'status'],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      r,
    );
    this.calls = new LiteCounter(
      'pluralign_upstream_calls_total',
      'Generator calls (each may make several upstream attempts), by generator, upstream and outcome (ok or error).',
      ['generator', 'upstream', 'outcome'],
      r,
    );
    this.attempts = new LiteCounter(
      'pluralign_upstream_attempts_total',
      'Upstream attempts made by generator calls (1 per call without retry; 0 when the breaker refused the call).',
      ['generator', 'upstream'],
      r,
    );
    this.retries = new LiteCounter(
      'pluralign_upstream_retries_total',
      'Upstream attempts after the first one of a call (retries).',
      ['generator', 'upstream'],
      r,
    );
    this.transitions = new Counter({
      name: 'pluralign_upstream_breaker_transitions_total',
      help: 'Circuit breaker state changes, by upstream and the state entered.',
      labelNames: ['upstream', 'to'],
      registers,
    });
    const breakers = this.breakers;
    new Gauge({
      name: 'pluralign_upstream_breaker_state',
      help: 'Circuit breaker state per upstream: 1 for the current state (closed, open or half_open), 0 for the others.',
      labelNames: ['upstream', 'state'],
      registers,
      collect() {
        for (const [upstream, breaker] of breakers) {
          const current = breaker.state;
          for (const state of BREAKER_STATES) this.set({ upstream, state }, state === current ? 1 : 0);
        }
      },
    });
    const pool = () => this.computePool;
    new Gauge({
      name: 'pluralign_counterfactual_workers',
      help: 'Counterfactual worker threads by state (starting, idle, busy), and the requests waiting for one (queued).',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = pool()?.stats() ?? { starting: 0, idle: 0, busy: 0, queued: 0 };
        for (const [state, n] of Object.entries(stats)) this.set({ state }, n);
      },
    });
    this.counterfactual = new LiteHistogram(
      'pluralign_counterfactual_query_duration_seconds',
      'Engine time of a POST /v1/counterfactuals request (abduction, action, prediction, explanation), by mode (single or batch).',
      ['mode'],
      [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      r,
    );
    this.generatorInfo = new Gauge({
      name: 'pluralign_generator_info',
      help: 'The generators this server offers (value 1), their default model, and whether each is the default (GENERATOR).',
      labelNames: ['generator', 'model', 'default'],
      registers,
    });
  }

  /**
   * The `onResponse` hook counting the responses of one route pattern (or of no route: UNMATCHED_ROUTE).
   * It knows its pattern, so a request's route options (an object fastify builds on every read) are
   * not read, and it keeps the series of each method and status it has seen: recording is two additions
   * and a bucket search, no label array, no key string.
   */
  private recorder(route: string): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
    type Kept = { generation: number; count: { value: number }; duration: HistogramSeries };
    const kept = new Map<string, Map<number, Kept>>();
    const lookup = (method: string, status: number): Kept => {
      let byStatus = kept.get(method);
      if (!byStatus) kept.set(method, (byStatus = new Map()));
      let k = byStatus.get(status);
      if (!k || k.generation !== this.requests.generation + this.duration.generation) {
        const labels = [method, route, String(status)];
        k = {
          generation: this.requests.generation + this.duration.generation,
          count: this.requests.seriesOf(labels),
          duration: this.duration.seriesOf(labels),
        };
        byStatus.set(status, k);
      }
      return k;
    };
    return (request, reply, done) => {
      const k = lookup(request.method, reply.statusCode);
      k.count.value++;
      this.duration.observeIn(k.duration, reply.elapsedTime / 1000);
      done();
    };
  }

  /** The `onResponse` hook of the 404 handler: counts the requests that matched no route. */
  readonly unmatched = this.recorder(UNMATCHED_ROUTE);

  /**
   * Count every response by route pattern, not the raw URL: each route gets its own `onResponse` hook
   * (added as it is declared, so every route registered after this counts, /docs included); the
   * requests that matched no route are counted by `unmatched`, the 404 handler's own hook.
   */
  install(fastify: FastifyInstance): void {
    const counted = Symbol('pluralign.metrics');
    fastify.addHook('onRoute', (route) => {
      const own = route.onResponse;
      const hooks = own === undefined ? [] : Array.isArray(own) ? [...own] : [own];
      // A route declared from options that already carry the hook (HEAD from GET) is not counted twice.
      if (hooks.some((h) => (h as { [counted]?: true })[counted])) return;
      hooks.push(Object.assign(this.recorder(route.url), { [counted]: true as const }));
      route.onResponse = hooks as typeof route.onResponse;
    });
  }

  /** Time one counterfactual request's engine work. */
  observeCounterfactual(mode: 'single' | 'batch', seconds: number): void {
    this.counterfactual.observe([mode], seconds);
  }

  /**
   * The generators, each wrapped so its calls are counted (attempts, retries, outcome); breakers are
   * watched and the generator in use is published. The wrappers are transparent proxies: every other
   * property (`name`, `model`, `breaker`…) reads through to the generator.
   */
  instrument(setup: GeneratorSetup): GeneratorSetup {
    const generators = new Map<string, Generator>();
    for (const [key, g] of setup.generators) {
      const upstream = upstreamOf(g);
      const breaker = (g as { breaker?: unknown }).breaker;
      if (breaker instanceof CircuitBreaker && !this.breakers.has(upstream)) {
        this.breakers.set(upstream, breaker);
        breaker.onStateChange((to) => this.transitions.inc({ upstream, to }));
      }
      this.generatorInfo.set(
        { generator: g.name, model: g.model, default: String(key === setup.defaultGenerator) },
        1,
      );
      generators.set(key, this.wrap(g, upstream));
    }
    return { ...setup, generators };
  }

  private record(generator: string, upstream: string, outcome: 'ok' | 'error', attempts: number): void {
    this.calls.inc([generator, upstream, outcome]);
    this.attempts.inc([generator, upstream], attempts);
    if (attempts > 1) this.retries.inc([generator, upstream], attempts - 1);
  }

  private failed(generator: string, upstream: string, err: unknown): void {
    // Failures other than UpstreamError (bugs) made at least the one attempt we know of.
    this.record(generator, upstream, 'error', err instanceof UpstreamError ? err.attempts : 1);
  }

  private wrap(g: Generator, upstream: string): Generator {
    // A call that resolves with the whole result (generate, collect): counted when it settles.
    const counted =
      (call: (req: GenerateRequest) => Promise<GenerateResult>) =>
      async (req: GenerateRequest): Promise<GenerateResult> => {
        let result: GenerateResult;
        try {
          result = await call(req);
        } catch (err) {
          this.failed(g.name, upstream, err);
          throw err;
        }
        this.record(g.name, upstream, 'ok', result.attempts);
        return result;
      };
    const generate = counted((req) => g.generate(req));
    const collect = counted((req) => g.collect!(req));
    const ok = (attempts: number) => this.record(g.name, upstream, 'ok', attempts);
    const failed = (err: unknown) => this.failed(g.name, upstream, err);
    // An iterator that looks at each event as it passes: no async generator of its own, so a
    // streamed answer costs no extra promise per chunk.
    const stream: Generator['stream'] = (req) => ({
      [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
        const inner = g.stream(req)[Symbol.asyncIterator]();
        let ended = false;
        const fail = (err: unknown): never => {
          if (!ended) failed(err);
          ended = true;
          throw err;
        };
        return {
          next: () =>
            inner.next().then((r) => {
              if (!r.done && r.value.type === 'end' && !ended) {
                ended = true;
                ok(r.value.result.attempts);
              }
              return r;
            }, fail),
          return: (value?: unknown) =>
            inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value: undefined }),
        };
      },
    });
    return new Proxy(g, {
      get(target, prop) {
        if (prop === 'generate') return generate;
        if (prop === 'stream') return stream;
        if (prop === 'collect') return target.collect ? collect : undefined;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
