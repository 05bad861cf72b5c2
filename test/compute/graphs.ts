/** Large graphs for the work-budget tests: a chain of sin() expressions and a banded linear graph. */

export interface Node {
  id: string;
  kind: 'latent';
  label: string;
  mechanism: Record<string, unknown>;
}

/** n nodes s0 → s1 → … with s(i) = sin(s(i−1)) + noise (the 1,000-node chain). */
export function sinChain(n: number) {
  const nodes: Node[] = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    kind: 'latent',
    label: `s${i}`,
    mechanism:
      i === 0
        ? { type: 'root', mean: 0, sd: 1 }
        : { type: 'expression', expression: `sin(s${i - 1})`, noiseSd: 0.1 },
  }));
  const edges = Array.from({ length: n - 1 }, (_, i) => [`s${i}`, `s${i + 1}`]);
  return { id: 'sin-chain', version: '1', nodes, edges };
}

/** n linear nodes v0…, each with the (up to) two previous nodes as parents: 2n − 3 edges. */
export function bandedLinear(n: number) {
  const edges: Array<[string, string]> = [];
  const nodes: Node[] = Array.from({ length: n }, (_, j) => {
    const parents = [j - 1, j - 2].filter((i) => i >= 0).map((i) => `v${i}`);
    for (const p of parents) edges.push([p, `v${j}`]);
    return {
      id: `v${j}`,
      kind: 'latent',
      label: `v${j}`,
      mechanism: parents.length
        ? {
            type: 'linear',
            intercept: 0,
            coefficients: Object.fromEntries(parents.map((p) => [p, 0.3])),
            noiseSd: 1,
          }
        : { type: 'root', mean: 0, sd: 1 },
    };
  });
  return { id: 'banded', version: '1', nodes, edges };
}

/**
 * A linear value graph for alignments: `latents` latent roots and `values` value nodes, each the sum of
 * two latents (0.5 each) plus noise. With hundreds of targets, its structured profile is seconds of
 * dense algebra (~4.6 s on the event loop for 400 latents and 600 values before the budget).
 */
export function valueGraph(latents: number, values: number, id = 'many-values') {
  const edges: Array<[string, string]> = [];
  const nodes: Array<{
    id: string;
    kind: 'latent' | 'value';
    label: string;
    mechanism: Record<string, unknown>;
  }> = Array.from({ length: latents }, (_, i) => ({
    id: `h${i}`,
    kind: 'latent',
    label: `h${i}`,
    mechanism: { type: 'root', mean: 0, sd: 1 },
  }));
  for (let j = 0; j < values; j++) {
    const parents = [...new Set([`h${j % latents}`, `h${(j * 7 + 3) % latents}`])];
    for (const p of parents) edges.push([p, `v${j}`]);
    nodes.push({
      id: `v${j}`,
      kind: 'value',
      label: `v${j}`,
      mechanism: {
        type: 'linear',
        intercept: 0,
        coefficients: Object.fromEntries(parents.map((p) => [p, 0.5])),
        noiseSd: 0.5,
      },
    });
  }
  return { id, version: '1', nodes, edges };
}
