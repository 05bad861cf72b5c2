/**
 * Explanations from the model: the change of every node from factual to counterfactual, split into the
 * contribution of each intervention and of each causal path. Contributions always sum to the change.
 *
 * - Linear mechanisms (`path-products`): Δ = A' e, where A' = (I − B')⁻¹ in the world mutilated by the
 *   do() actions and e_i is intervention i's own change (do: target − factual, shift: the amount).
 *   A'[k,i] is the sum over causal paths i → k that pass through no other do() node of the product
 *   of edge weights, so each path's contribution is e_i × Π weights. A latent moved by a structured
 *   action is attributed to the structured targets by the solution's share matrix (h* − ĥ = R r).
 * - Nonlinear mechanisms: Shapley values over the applied actions (each coalition is a counterfactual
 *   with the same abducted noise), exact up to 10 actions, seeded permutation sampling beyond.
 */
import type { NodeKind } from '../../schemas/graph.js';
import type { Program } from './compile.js';
import { ScmError, type ScmIssue } from './errors.js';
import { mulberry32 } from './random.js';
import type { StructuredSolution } from './interventions.js';
import { CUTS_EDGES, actionSpec } from './intervention-types.js';
import { FROM_STRUCTURED, NONE, actionIndices, impulse, predict, type Actions } from './predict.js';
import { resultArray } from './result-arrays.js';

export type NodeRole = 'set' | 'shifted' | 'structured' | 'inferred' | 'unchanged';

export interface Contribution {
  /** The caller's intervention (node id) this share of the change comes from. */
  intervention: string;
  amount: number;
}

export interface PathContribution {
  intervention: string;
  /** Node ids from the intervened node to the explained node. For structured latents the first hop
   * (target ⇒ latent) is the action's link, not a causal edge; `structured` is then true. */
  path: string[];
  amount: number;
  structured?: boolean;
}

export interface NodeExplanation {
  node: string;
  role: NodeRole;
  factual: number;
  counterfactual: number;
  change: number;
  contributions: Contribution[];
  /** The largest paths by |amount|; `otherPaths` holds the rest so that everything sums to `change`. */
  paths: PathContribution[];
  otherPaths: number;
}

export interface Explanation {
  method: 'path-products' | 'shapley-exact' | 'shapley-sampled';
  /** Number of coalitions or permutations evaluated (Shapley only). */
  evaluations?: number;
  nodes: NodeExplanation[];
  /** Nodes that would have been explained but were left out by `maxNodes` (the smallest changes). */
  omittedNodes: number;
  /** True when path enumeration hit its budget (the remainder is in `otherPaths`). */
  truncated: boolean;
}

export interface ExplainOptions {
  /** Paths listed per node (default 5). */
  maxPaths?: number;
  /** Which nodes to explain: those that changed or were acted on (default), or all. */
  include?: 'changed' | 'all';
  /** Permutations sampled when there are more than 10 actions (default 256). */
  shapleySamples?: number;
  /** Seed of the permutation sampler (default 1). */
  seed?: number;
  /** Path enumeration budget: path extensions visited per query (default 200000). */
  pathBudget?: number;
  /**
   * Explain only nodes of these kinds (default: all). Paths are then enumerated only towards such
   * nodes, which saves most of the work when, say, the values are wanted and not the many concepts.
   */
  kinds?: readonly NodeKind[];
  /**
   * Explain the nodes acted on and at most this many other nodes: those whose change is largest
   * (default: no limit). Paths are enumerated only towards the nodes kept.
   */
  maxNodes?: number;
  /** Explain only these nodes (ids; default: every node). */
  nodes?: readonly string[];
}

/**
 * Which nodes to explain: those of the wanted kinds, that changed or were acted on (unless `include`
 * is 'all'), and within `maxNodes` (the acted-on ones, then the largest changes). `omitted` counts the
 * nodes left out by `maxNodes`.
 */
function nodesToExplain(
  p: Program,
  factual: Float64Array,
  cf: Float64Array,
  actions: Actions,
  options: ExplainOptions,
): { wanted: Uint8Array; omitted: number } {
  const { kinds, maxNodes } = options;
  const include = options.include ?? 'changed';
  const listed = options.nodes ? listedNodes(p, options.nodes) : null;
  const wanted = new Uint8Array(p.n);
  const others: number[] = [];
  for (let k = 0; k < p.n; k++) {
    if (kinds && !kinds.includes(p.kinds[k]!)) continue;
    if (listed && !listed[k]) continue;
    const change = cf[k]! - factual[k]!;
    if (actions.act[k] !== NONE) wanted[k] = 1;
    else if (include === 'all' || change !== 0) others.push(k);
  }
  if (maxNodes === undefined || others.length <= maxNodes) {
    for (const k of others) wanted[k] = 1;
    return { wanted, omitted: 0 };
  }
  // The first maxNodes in the order (largest change first, then program index): kept sorted by
  // insertion, since only they are needed (a full sort of the others was most of the explanation's time).
  const best: number[] = [];
  for (const k of others) {
    if (best.length === maxNodes && (maxNodes === 0 || !changesMore(factual, cf, k, best[maxNodes - 1]!)))
      continue;
    if (best.length === maxNodes) best.pop();
    let i = best.length;
    while (i > 0 && changesMore(factual, cf, k, best[i - 1]!)) i--;
    best.splice(i, 0, k);
  }
  for (const k of best) wanted[k] = 1;
  return { wanted, omitted: others.length - maxNodes };
}

/** Whether node a comes before node b: a larger change, or the same change and a smaller index. */
function changesMore(factual: Float64Array, cf: Float64Array, a: number, b: number): boolean {
  const sa = Math.abs(cf[a]! - factual[a]!);
  const sb = Math.abs(cf[b]! - factual[b]!);
  return sa > sb || (sa === sb && a < b);
}

/**
 * Sort in place, larger |amount| first, ties in their order: what a stable sort by
 * |b.amount| − |a.amount| gives, by insertion (the lists are short; Array.prototype.sort with a
 * comparator cost more than the rest of a node's explanation).
 */
function sortByMagnitude(list: Array<{ amount: number }>): void {
  for (let i = 1; i < list.length; i++) {
    const x = list[i]!;
    const m = Math.abs(x.amount);
    let j = i;
    while (j > 0 && Math.abs(list[j - 1]!.amount) < m) {
      list[j] = list[j - 1]!;
      j--;
    }
    list[j] = x;
  }
}

/**
 * Whether a path of this amount enters node k's list of the largest paths (decided before the path
 * is built: most visited paths do not, and building their id arrays was most of the cost).
 */
function qualifies(
  top: ReadonlyArray<PathContribution[] | undefined>,
  k: number,
  amount: number,
  maxPaths: number,
) {
  const list = top[k];
  if (list === undefined) return maxPaths > 0;
  return (
    list.length < maxPaths || (maxPaths > 0 && Math.abs(amount) > Math.abs(list[list.length - 1]!.amount))
  );
}

/** Add a path to node k's list: inserted where a stable sort by |amount|, descending, puts it. */
function pushTop(
  top: Array<PathContribution[] | undefined>,
  k: number,
  pc: PathContribution,
  maxPaths: number,
) {
  const list = (top[k] ??= []);
  if (list.length >= maxPaths) list.pop();
  const m = Math.abs(pc.amount);
  let i = list.length;
  while (i > 0 && Math.abs(list[i - 1]!.amount) < m) i--;
  list.splice(i, 0, pc);
}

/** A mask of the nodes named in `ExplainOptions.nodes`; an unknown id is an UNKNOWN_NODE error. */
function listedNodes(p: Program, ids: readonly string[]): Uint8Array {
  const mask = new Uint8Array(p.n);
  const issues: ScmIssue[] = [];
  ids.forEach((id, i) => {
    const k = p.index.get(id);
    if (k === undefined)
      issues.push({
        path: `explain.nodes.${i}`,
        node: id,
        message: `unknown node "${id}" in graph "${p.id}"`,
      });
    else mask[k] = 1;
  });
  if (issues.length) throw ScmError.fromIssues('UNKNOWN_NODE', issues);
  return mask;
}

/** The nodes that lead to a wanted node (`relevant`: wanted, or with a relevant child). */
function relevantNodes(p: Program, wanted: Uint8Array): Uint8Array {
  const relevant = new Uint8Array(p.n);
  for (let k = p.n - 1; k >= 0; k--) {
    // Topological order: every child of k comes after k, so its flag is already known.
    if (wanted[k]) relevant[k] = 1;
    else
      for (let c = p.childPtr[k]!; c < p.childPtr[k + 1]! && !relevant[k]; c++)
        if (relevant[p.childIdx[c]!]) relevant[k] = 1;
  }
  return relevant;
}

const EXACT_SHAPLEY_LIMIT = 10;

function roleOf(
  actions: Actions,
  structuredTargets: ReadonlySet<number>,
  i: number,
  change: number,
): NodeRole {
  const spec = actionSpec(actions.act[i]!);
  if (spec) return actions.origin[i] === FROM_STRUCTURED ? 'structured' : spec.role;
  if (structuredTargets.has(i)) return 'set';
  return change !== 0 ? 'inferred' : 'unchanged';
}

export function explain(
  p: Program,
  factual: Float64Array,
  u: Float64Array,
  cf: Float64Array,
  actions: Actions,
  solution: StructuredSolution | null,
  options: ExplainOptions = {},
): Explanation {
  return p.linear
    ? explainLinear(p, factual, cf, actions, solution, options)
    : explainShapley(p, factual, u, cf, actions, options);
}

/** Sources of change: an action node, or (for structured latents) a latent split over targets. */
interface Source {
  intervention: number; // the caller-facing intervention node
  via: number; // the node the impulse enters at (== intervention unless structured)
  amount: number; // impulse size
}

function sourcesOf(
  factual: Float64Array,
  cf: Float64Array,
  actions: Actions,
  solution: StructuredSolution | null,
): Source[] {
  const out: Source[] = [];
  const latentPos = new Map<number, number>();
  solution?.latents.forEach((h, j) => latentPos.set(h, j));
  for (const i of actionIndices(actions)) {
    const e = actionSpec(actions.act[i]!)!.ownChange(factual[i]!, cf[i]!, actions.val[i]!);
    const j = latentPos.get(i);
    if (j !== undefined && solution) {
      const nv = solution.targets.length;
      // Split the latent's move over the targets: Σ_v R[j,v] r_v = h* − ĥ (linear case).
      let listed = 0;
      for (let q = 0; q < nv; q++) {
        const part = solution.share[j * nv + q]! * solution.residual[q]!;
        listed += part;
        out.push({ intervention: solution.targets[q]!, via: i, amount: part });
      }
      const rest = e - listed; // 0 up to rounding for linear mechanisms
      if (rest !== 0) out.push({ intervention: i, via: i, amount: rest });
    } else {
      out.push({ intervention: i, via: i, amount: e });
    }
  }
  return out;
}

function explainLinear(
  p: Program,
  factual: Float64Array,
  cf: Float64Array,
  actions: Actions,
  solution: StructuredSolution | null,
  options: ExplainOptions,
): Explanation {
  const n = p.n;
  const maxPaths = options.maxPaths ?? 5;
  let budget = options.pathBudget ?? 200_000;
  const structuredTargets = new Set(solution?.targets ?? []);
  const sources = sourcesOf(factual, cf, actions, solution);
  const { wanted, omitted } = nodesToExplain(p, factual, cf, actions, options);
  const relevant = relevantNodes(p, wanted);

  // Contributions by caller intervention: A'[k, via] × amount.
  const contrib = new Map<number, Float64Array>(); // intervention -> per-node amount
  const columns = new Map<number, Float64Array>();
  for (const s of sources) {
    let col = columns.get(s.via);
    if (!col) {
      col = impulse(p, actions.act, s.via, resultArray(n));
      columns.set(s.via, col);
    }
    let acc = contrib.get(s.intervention);
    if (!acc) contrib.set(s.intervention, (acc = resultArray(n)));
    for (let k = s.via; k < n; k++) if (col[k] !== 0) acc[k] = acc[k]! + col[k]! * s.amount;
  }

  // Top paths per node, by DFS from each source through nodes that are not set by do().
  // Per node, filled on its first path (most nodes get none).
  const top: Array<PathContribution[] | undefined> = new Array(n);
  let truncated = false;
  // DFS entries link to their parent entry; a path's node list is built only when it is kept.
  interface Step {
    node: number;
    weight: number;
    parent: Step | null;
    depth: number;
  }
  for (const s of sources) {
    if (s.amount === 0) continue;
    const structured = s.via !== s.intervention;
    const intervention = p.ids[s.intervention]!;
    const stack: Step[] = [{ node: s.via, weight: 1, parent: null, depth: 1 }];
    while (stack.length) {
      const cur = stack.pop()!;
      const amount = cur.weight * s.amount;
      if (wanted[cur.node] && qualifies(top, cur.node, amount, maxPaths)) {
        const offset = structured ? 1 : 0;
        const path = new Array<string>(cur.depth + offset);
        if (structured) path[0] = intervention;
        for (let st: Step | null = cur, i = cur.depth - 1; st; st = st.parent, i--)
          path[i + offset] = p.ids[st.node]!;
        const pc: PathContribution = { intervention, path, amount };
        if (structured) pc.structured = true;
        pushTop(top, cur.node, pc, maxPaths);
      }
      for (let c = p.childPtr[cur.node]!; c < p.childPtr[cur.node + 1]!; c++) {
        const child = p.childIdx[c]!;
        if (CUTS_EDGES[actions.act[child]!]) continue; // a set node blocks the path
        if (!relevant[child]) continue; // leads to no node to explain
        if (--budget < 0) {
          truncated = true;
          break;
        }
        stack.push({ node: child, weight: cur.weight * p.childW[c]!, parent: cur, depth: cur.depth + 1 });
      }
      if (budget < 0) break;
    }
  }

  // The contributions' interventions and amounts as arrays, in the map's order (iterated per node).
  const ivIds = [...contrib.keys()].map((iv) => p.ids[iv]!);
  const accs = [...contrib.values()];
  const nodes: NodeExplanation[] = [];
  for (let k = 0; k < n; k++) {
    if (!wanted[k]) continue;
    const change = cf[k]! - factual[k]!;
    const contributions: Contribution[] = [];
    for (let j = 0; j < accs.length; j++) {
      const amount = accs[j]![k]!;
      if (amount !== 0) contributions.push({ intervention: ivIds[j]!, amount });
    }
    if (contributions.length > 1) sortByMagnitude(contributions);
    const paths = top[k] ?? [];
    let listed = 0;
    for (const pc of paths) listed += pc.amount;
    nodes.push({
      node: p.ids[k]!,
      role: roleOf(actions, structuredTargets, k, change),
      factual: factual[k]!,
      counterfactual: cf[k]!,
      change,
      contributions,
      paths,
      otherPaths: change - listed,
    });
  }
  return { method: 'path-products', nodes, truncated, omittedNodes: omitted };
}

function explainShapley(
  p: Program,
  factual: Float64Array,
  u: Float64Array,
  cf: Float64Array,
  actions: Actions,
  options: ExplainOptions,
): Explanation {
  const n = p.n;
  const players = actionIndices(actions);
  const m = players.length;
  const phi = Array.from({ length: m }, () => new Float64Array(n));
  const act = new Uint8Array(n);
  const coalition = (mask: (j: number) => boolean): Float64Array => {
    act.fill(NONE);
    for (let j = 0; j < m; j++) if (mask(j)) act[players[j]!] = actions.act[players[j]!]!;
    return predict(p, factual, u, act, actions.val, new Float64Array(n));
  };
  let method: Explanation['method'];
  let evaluations: number;
  if (m <= EXACT_SHAPLEY_LIMIT) {
    method = 'shapley-exact';
    const size = 1 << m;
    const values: Float64Array[] = new Array(size);
    for (let s = 0; s < size; s++) values[s] = coalition((j) => ((s >> j) & 1) === 1);
    evaluations = size;
    const fact = [1];
    for (let i = 1; i <= m; i++) fact.push(fact[i - 1]! * i);
    for (let s = 0; s < size; s++) {
      let bits = 0;
      for (let j = 0; j < m; j++) bits += (s >> j) & 1;
      for (let j = 0; j < m; j++) {
        if ((s >> j) & 1) continue;
        const weight = (fact[bits]! * fact[m - bits - 1]!) / fact[m]!;
        const withJ = values[s | (1 << j)]!;
        const without = values[s]!;
        const acc = phi[j]!;
        for (let k = 0; k < n; k++) acc[k] = acc[k]! + weight * (withJ[k]! - without[k]!);
      }
    }
  } else {
    method = 'shapley-sampled';
    const samples = options.shapleySamples ?? 256;
    const rand = mulberry32(options.seed ?? 1);
    const order = players.map((_, j) => j);
    const inSet = new Uint8Array(m);
    for (let s = 0; s < samples; s++) {
      for (let i = m - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      inSet.fill(0);
      let prev = coalition(() => false);
      for (const j of order) {
        inSet[j] = 1;
        const next = coalition((q) => inSet[q] === 1);
        const acc = phi[j]!;
        for (let k = 0; k < n; k++) acc[k] = acc[k]! + (next[k]! - prev[k]!) / samples;
        prev = next;
      }
    }
    evaluations = samples;
  }
  const { wanted, omitted } = nodesToExplain(p, factual, cf, actions, options);
  const nodes: NodeExplanation[] = [];
  for (let k = 0; k < n; k++) {
    if (!wanted[k]) continue;
    const change = cf[k]! - factual[k]!;
    const contributions: Contribution[] = [];
    for (let j = 0; j < m; j++) {
      const amount = phi[j]![k]!;
      if (amount !== 0) contributions.push({ intervention: p.ids[players[j]!]!, amount });
    }
    sortByMagnitude(contributions);
    nodes.push({
      node: p.ids[k]!,
      role: roleOf(actions, new Set(), k, change),
      factual: factual[k]!,
      counterfactual: cf[k]!,
      change,
      contributions,
      paths: [],
      otherPaths: change,
    });
  }
  return { method, evaluations, nodes, truncated: false, omittedNodes: omitted };
}
