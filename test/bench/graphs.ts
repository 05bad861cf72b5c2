/** Seeded synthetic value graphs for benchmarks: latents → values → concepts, like the bundled systems. */
import type { GraphFile } from '../../schemas/graph.js';

import { mulberry32 } from '../../src/scm/random.js';

export { mulberry32 };

export function layeredGraph(latents: number, values: number, concepts: number, seed = 1): GraphFile {
  const rand = mulberry32(seed);
  const w = () => Math.round((rand() * 1.6 - 0.8) * 1000) / 1000 || 0.1;
  const nodes: GraphFile['nodes'] = [];
  const edges: GraphFile['edges'] = [];
  for (let i = 0; i < latents; i++) {
    nodes.push({ id: `h${i}`, kind: 'latent', label: `h${i}`, mechanism: { type: 'root', mean: 0, sd: 1 } });
  }
  for (let i = 0; i < values; i++) {
    const coefficients: Record<string, number> = {};
    for (let j = 0; j < latents; j++) {
      if (latents <= 2 || rand() < 0.6 || j === i % latents) {
        coefficients[`h${j}`] = w();
        edges.push([`h${j}`, `v${i}`]);
      }
    }
    nodes.push({
      id: `v${i}`,
      kind: 'value',
      label: `v${i}`,
      mechanism: { type: 'linear', intercept: 0, coefficients, noiseSd: 0.6 },
    });
  }
  for (let i = 0; i < concepts; i++) {
    const coefficients: Record<string, number> = {};
    const k = 1 + Math.floor(rand() * 3);
    for (let q = 0; q < k; q++) {
      const v = `v${Math.floor(rand() * values)}`;
      if (v in coefficients) continue;
      coefficients[v] = w();
      edges.push([v, `c${i}`]);
    }
    nodes.push({
      id: `c${i}`,
      kind: 'concept',
      label: `c${i}`,
      mechanism: { type: 'linear', intercept: 0, coefficients, noiseSd: 0.5 },
    });
  }
  return { id: `bench-${latents + values + concepts}`, version: '1', nodes, edges };
}
