/**
 * Counters and histograms for the hot path, exposed through a prom-client `Registry`. Recording is a
 * map lookup and a few additions: prom-client's own `Counter.inc` and `Histogram.observe` hash the
 * label object on every call, which cost about 40 µs per request on the per-request metrics (most of
 * it the histogram). The exposition is prom-client's: these objects implement the `get()` it reads
 * (the same sample lines, label order included, as its Counter and Histogram).
 */
import type { Registry } from 'prom-client';

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Record<string, string>;
}

interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

abstract class LiteMetric<S extends object> {
  readonly aggregator = 'sum' as const;
  protected series = new Map<string, S & { labels: Record<string, string> }>();
  /** Bumped by `reset()`: a series a caller kept from `seriesOf` is current while this is unchanged. */
  generation = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of these label values (in `labelNames` order), created on first use. */
  protected at(values: readonly string[], init: () => S): S {
    const key = values.join('\u0000');
    const found = this.series.get(key);
    if (found) return found;
    const labels: Record<string, string> = {};
    this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
    const s = Object.assign(init(), { labels });
    this.series.set(key, s);
    return s;
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }

  protected abstract samples(): Sample[];

  async get(): Promise<Exported> {
    return { name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: 'sum' };
  }
}

export class LiteCounter extends LiteMetric<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry) {
    super(name, help, 'counter', labelNames, registry);
  }

  inc(values: readonly string[], by = 1): void {
    this.seriesOf(values).value += by;
  }

  /** The series of these label values, to add to directly (`.value += 1`) while `generation` holds. */
  seriesOf(values: readonly string[]): { value: number } {
    return this.at(values, () => ({ value: 0 }));
  }

  protected samples(): Sample[] {
    return [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }));
  }
}

export interface HistogramSeries {
  counts: Float64Array;
  sum: number;
  count: number;
}

export class LiteHistogram extends LiteMetric<HistogramSeries> {
  private readonly bounds: readonly number[];

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', labelNames, registry);
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  observe(values: readonly string[], x: number): void {
    this.observeIn(this.seriesOf(values), x);
  }

  /** The series of these label values, to record into with `observeIn` while `generation` holds. */
  seriesOf(values: readonly string[]): HistogramSeries {
    return this.at(values, () => ({ counts: new Float64Array(this.bounds.length), sum: 0, count: 0 }));
  }

  /** Record one observation in a series from `seriesOf`. */
  observeIn(s: HistogramSeries, x: number): void {
    s.sum += x;
    s.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (x <= this.bounds[i]!) {
        s.counts[i]!++;
        break;
      }
    }
  }

  protected samples(): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        out.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: `${this.name}_bucket` });
      });
      out.push(
        { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket` },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return out;
  }
}
