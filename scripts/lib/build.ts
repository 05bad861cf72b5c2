/** Shared helpers of the graph-building scripts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import type { GraphFile, GraphNode, ValueSystemMeta } from '../../schemas/graph.js';
import { bundledValueSystem } from '../../src/graphs/registry.js';
import type { ValueDef, ValueSystem } from '../../src/values/systems.js';
import { impliedMoments } from '../../src/values/moments.js';

/** The repository root (scripts/lib → ../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Round to `digits` decimals (the graph files carry 6). */
export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Write JSON formatted by the repository's prettier settings (so `prettier --check` passes). */
export async function writeJson(path: string, value: unknown): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(JSON.stringify(value), { ...options, filepath: path }));
}

/**
 * The concept-layer prior. A concept's activation is on a standardised scale (mean 0, sd 1 in the
 * population the value layer describes). It loads λ on the standardised weighted composite of its
 * parent values:
 *
 *   concept = λ · (Σ_v w_v (x_v − μ_v) / σ_v) / s + u,   u ~ N(0, 1 − λ²)
 *
 * with μ_v, σ_v the model-implied mean and sd of value v, w the taxonomy weights (sum 1) and s the
 * model-implied sd of the composite Σ_v w_v (x_v − μ_v) / σ_v (1 for a single parent). So the concept
 * has implied mean 0, sd 1 and correlation λ with its composite. The linear mechanism stores
 * coefficients λ w_v / (σ_v s) and intercept −Σ_v coefficient_v μ_v.
 */
export const CONCEPT_LOADING = 0.7;

/** A higher-order dimension of a value system: a standardised root node. */
export function latentNode(id: string, label: string, description: string): GraphNode {
  return {
    id,
    kind: 'latent',
    label,
    description,
    group: 'Higher-order dimension',
    mechanism: { type: 'root', mean: 0, sd: 1 },
  };
}

/**
 * The value system of a bundled graph. The graph files are the only source of the value metadata
 * (labels, descriptions, groups, codes, aliases, higher-order groups): a rebuild keeps what the file
 * holds and recomputes the numbers.
 */
export function bundledSystem(id: string): ValueSystem {
  const system = bundledValueSystem(id);
  if (!system) throw new Error(`no bundled graph "${id}" in graphs/`);
  return system;
}

/** The `valueSystem` block of a graph file for `system` (its name, higher-order groups, bipolar axes). */
export function valueSystemMeta(system: ValueSystem): ValueSystemMeta {
  return {
    label: system.label,
    higherOrder: system.higherOrder.map((g) => ({ ...g, members: [...g.members] })),
    bipolar: system.bipolar.map((d) => ({ ...d })),
  };
}

/** A value node of a value system, linear in its parents (the latent dimensions). */
export function valueNode(
  v: ValueDef,
  mechanism: { intercept: number; coefficients: Record<string, number>; noiseSd: number },
): GraphNode {
  return {
    id: v.id,
    kind: 'value',
    label: v.label,
    description: v.description,
    group: v.group,
    ...(v.code !== undefined ? { code: v.code } : {}),
    ...(v.aliases !== undefined ? { aliases: [...v.aliases] } : {}),
    mechanism: { type: 'linear', ...mechanism },
  };
}

export interface ConceptSpec {
  id: string;
  label: string;
  description: string;
  group: string;
  phrases: string[];
  /** Parent value → taxonomy weight (sum 1). */
  weights: Record<string, number>;
}

export function conceptNodes(
  valueLayer: GraphFile,
  concepts: readonly ConceptSpec[],
  lambda = CONCEPT_LOADING,
): { nodes: GraphNode[]; edges: Array<[string, string]> } {
  const m = impliedMoments(valueLayer);
  const index = new Map(m.ids.map((id, i) => [id, i]));
  const sd = (v: string) => Math.sqrt(m.cov[index.get(v)!]![index.get(v)!]!);
  const nodes: GraphNode[] = [];
  const edges: Array<[string, string]> = [];
  for (const c of concepts) {
    const parents = Object.keys(c.weights);
    for (const v of parents) if (!index.has(v)) throw new Error(`concept ${c.id}: no value node "${v}"`);
    // Variance of the standardised composite under the model.
    let s2 = 0;
    for (const a of parents) {
      for (const b of parents) {
        const ia = index.get(a)!;
        const ib = index.get(b)!;
        s2 += ((c.weights[a]! * c.weights[b]!) / (sd(a) * sd(b))) * m.cov[ia]![ib]!;
      }
    }
    const s = Math.sqrt(s2);
    const coefficients: Record<string, number> = {};
    let intercept = 0;
    for (const v of parents) {
      const b = (lambda * c.weights[v]!) / (sd(v) * s);
      coefficients[v] = round(b);
      intercept -= b * m.mean[v]!;
      edges.push([v, c.id]);
    }
    nodes.push({
      id: c.id,
      kind: 'concept',
      label: c.label,
      description: c.description,
      group: c.group,
      phrases: c.phrases,
      mechanism: {
        type: 'linear',
        intercept: round(intercept),
        coefficients,
        noiseSd: round(Math.sqrt(1 - lambda * lambda)),
      },
    });
  }
  return { nodes, edges };
}
