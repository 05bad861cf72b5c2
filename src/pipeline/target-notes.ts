/**
 * Warnings about a target profile that the pipeline accepts but that rarely means what the caller
 * wants (`notes` on POST /v1/align):
 *
 * - every value of the graph set to one level (all ten at 5): a profile with no priorities: nothing is
 *   inferred and no value can be favoured over another;
 * - two opposite values both at 5 (e.g. power and universalism): values on opposite sides of one of the
 *   graph's bipolar axes, which people rarely hold as both most important.
 *
 * Opposites come from the graph itself, not from a list in the code. When its value system declares
 * bipolar axes (`valueSystem.bipolar`: a latent and the higher-order groups at its two poles), every
 * member of one pole is opposite every member of the other: on schwartz-10, benevolence and universalism
 * against achievement and power (self-transcendence ↔ self-enhancement), self-direction, stimulation and
 * hedonism against security, conformity and tradition (openness to change ↔ conservation). A graph that
 * declares none (an uploaded one) is read from its loadings: a latent parent of the value nodes is an
 * axis when its loadings have both signs, and two values are opposite on it when one loads at least half
 * the axis's largest loading one way and the other at least half of it the other way.
 */
import type { GraphEntry } from '../graphs/registry.js';

/** The least loading, as a fraction of the axis's largest, for a value to count as one of its poles. */
const POLE_SHARE = 0.5;
const TOP = 5;

export interface OppositePair {
  /** The value loading positively on the axis, and the one loading negatively. */
  positive: string;
  negative: string;
  /** The bipolar axis they are opposite on (its label). */
  axis: string;
}

const cache = new WeakMap<GraphEntry, OppositePair[]>();

/** The pairs of opposite values of a graph, axis by axis (cached per graph entry). */
export function oppositePairs(entry: GraphEntry): OppositePair[] {
  const hit = cache.get(entry);
  if (hit) return hit;
  const pairs = entry.system.bipolar.length > 0 ? declaredPairs(entry) : loadingPairs(entry);
  cache.set(entry, pairs);
  return pairs;
}

/** Every member of the positive pole's group against every member of the negative pole's. */
function declaredPairs(entry: GraphEntry): OppositePair[] {
  const members = new Map(entry.system.higherOrder.map((g) => [g.id, g.members]));
  return entry.system.bipolar.flatMap((d) =>
    (members.get(d.positive) ?? []).flatMap((p) =>
      (members.get(d.negative) ?? []).map((q) => ({ positive: p, negative: q, axis: d.label })),
    ),
  );
}

/** The poles of each latent read from the value nodes' loadings on it. */
function loadingPairs(entry: GraphEntry): OppositePair[] {
  const nodes = entry.file.nodes;
  const pairs: OppositePair[] = [];
  for (const latent of nodes.filter((n) => n.kind === 'latent')) {
    const loadings: Array<[string, number]> = [];
    for (const n of nodes) {
      if (n.kind !== 'value' || n.mechanism?.type !== 'linear') continue;
      const c = n.mechanism.coefficients[latent.id];
      if (c !== undefined) loadings.push([n.id, c]);
    }
    const max = Math.max(0, ...loadings.map(([, c]) => Math.abs(c)));
    const pos = loadings.filter(([, c]) => c >= POLE_SHARE * max && c > 0).map(([v]) => v);
    const neg = loadings.filter(([, c]) => c <= -POLE_SHARE * max && c < 0).map(([v]) => v);
    const axis = latent.label ?? latent.id;
    for (const p of pos) for (const q of neg) pairs.push({ positive: p, negative: q, axis });
  }
  return pairs;
}

/** The notes for a target, given as 1–5 levels by value id (only the values set). */
export function targetNotes(entry: GraphEntry, target: Readonly<Record<string, number>>): string[] {
  const labels = new Map(entry.file.nodes.map((n) => [n.id, n.label ?? n.id]));
  const label = (id: string) => labels.get(id) ?? id;
  const values = entry.file.nodes.filter((n) => n.kind === 'value').map((n) => n.id);
  const levels = values.map((v) => target[v]);
  const first = levels[0];
  if (values.length > 1 && first !== undefined && levels.every((l) => l === first)) {
    return [
      `every value of ${entry.id} is set to ${first}: a profile that rates all ${values.length} values alike has no priorities, so nothing is inferred and the answer cannot favour one value over another; rank the values (target.format "ranking") or spread the levels`,
    ];
  }
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const { positive, negative, axis } of oppositePairs(entry)) {
    if (!(target[positive]! >= TOP && target[negative]! >= TOP)) continue;
    const key = [positive, negative].sort().join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    notes.push(
      `${label(positive)} and ${label(negative)} are both set to ${TOP}, but they sit on opposite sides of the value circle (${axis}) and people rarely hold both as most important: both are set as asked, and the values inferred from that axis follow a compromise between them; lower one of the two if one matters more`,
    );
  }
  return notes;
}
