/**
 * Counting upstream use without touching the generators: a `Generator` wrapper that forwards every
 * call and adds the calls and token usage to a `Usage`. The embedded template generator makes no
 * upstream call and is not counted. One wrapper per task gives per-task costs while the wrapped
 * generator (its connection pool, retry loop and circuit breaker) stays shared.
 */
import type { GenerateRequest, GenerateResult, Generator, StreamEvent } from '../generator/types.js';
import type { Usage } from './types.js';

export function emptyUsage(): Usage {
  return { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0 };
}

export function addUsage(into: Usage, u: Usage): Usage {
  into.calls += u.calls;
  into.failedCalls += u.failedCalls;
  into.promptTokens += u.promptTokens;
  into.completionTokens += u.completionTokens;
  return into;
}

export class MeteredGenerator implements Generator {
  readonly usage: Usage = emptyUsage();
  constructor(private readonly inner: Generator) {}

  get name(): string {
    return this.inner.name;
  }

  get model(): string {
    return this.inner.model;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  private get counted(): boolean {
    return !this.inner.capabilities.embedded;
  }

  private record(r: GenerateResult): void {
    if (!this.counted) return;
    this.usage.calls++;
    this.usage.promptTokens += r.usage?.promptTokens ?? 0;
    this.usage.completionTokens += r.usage?.completionTokens ?? 0;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    try {
      const r = await this.inner.generate(req);
      this.record(r);
      return r;
    } catch (err) {
      if (this.counted) this.usage.failedCalls++;
      throw err;
    }
  }

  async *stream(req: GenerateRequest): AsyncIterable<StreamEvent> {
    try {
      for await (const ev of this.inner.stream(req)) {
        if (ev.type === 'end') this.record(ev.result);
        yield ev;
      }
    } catch (err) {
      if (this.counted) this.usage.failedCalls++;
      throw err;
    }
  }
}
