/** Test helpers: build graph files from the compact fixture format used by DoWhy's reference cases. */
import type { GraphFile } from '../../schemas/graph.js';

export interface CompactScm {
  nodes: string[];
  edges: Array<[string, string]>;
  equations: Record<string, { intercept: number; coefficients?: Record<string, number>; noiseSd?: number }>;
  roots?: Record<string, { mean: number; sd: number }>;
}

export function graphFrom(c: CompactScm, id = 'test-graph'): GraphFile {
  const hasParents = new Set(c.edges.map(([, to]) => to));
  return {
    id,
    version: '1',
    nodes: c.nodes.map((name) => {
      const eq = c.equations[name];
      if (!hasParents.has(name)) {
        const r = c.roots?.[name] ?? { mean: eq?.intercept ?? 0, sd: 1 };
        return { id: name, kind: 'value' as const, label: name, mechanism: { type: 'root' as const, ...r } };
      }
      return {
        id: name,
        kind: 'concept' as const,
        label: name,
        mechanism: {
          type: 'linear' as const,
          intercept: eq!.intercept,
          coefficients: eq!.coefficients ?? {},
          noiseSd: eq!.noiseSd ?? 1,
        },
      };
    }),
    edges: c.edges,
  };
}

/** Map a result's arrays to records by node id. */
export function byId(nodes: readonly string[], values: Float64Array | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!values) return out;
  nodes.forEach((id, i) => (out[id] = values[i]!));
  return out;
}

export function expectClose(actual: Record<string, number>, expected: Record<string, number>, tol = 1e-9) {
  for (const [k, v] of Object.entries(expected)) {
    const a = actual[k];
    if (a === undefined || !(Math.abs(a - v) <= tol * Math.max(1, Math.abs(v)))) {
      throw new Error(`node ${k}: expected ${v}, got ${a} (tolerance ${tol})`);
    }
  }
}
