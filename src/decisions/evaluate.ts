/**
 * `pluralign eval --task decisions`: how well do the decisions agree with reference rankings (people's,
 * or written ones)? A scenarios file holds decisions (a scenario and its actions) and, for each, one or
 * more rankings by a person with a known value profile. For every (decision, person) the service ranks
 * the actions for that person's profile and is compared with the person's ranking:
 *
 * - Spearman ρ between the two rank orders; Kendall τ-b; top-1 agreement (the same first action);
 * - means over every (decision, person), with seeded percentile-bootstrap intervals resampling
 *   decisions (a decision's rankings move together);
 * - the same for two baselines measured on the same pairs: `consensus` (rank as the *other* people of
 *   the decision did, by their mean rank, ignoring values: needs ≥ 2 rankings per decision) and
 *   `equal-weights` (the service with every value at the same level: the actions' overall value
 *   relevance, ignoring the person).
 */
import { z } from 'zod';
import { averageRanks, spearman } from '../attribution/verification.js';
import { clusteredMean, type BootstrapOptions, type Interval } from '../eval/stats.js';
import { decide, type DecisionDeps, type DecisionMode } from './decide.js';
import type { DecisionMethod } from './methods.js';

const Profile = z.strictObject({
  format: z.enum(['likert5', 'pvq6', 'centered', 'ranking']).default('likert5'),
  values: z.record(z.string(), z.number()).optional(),
  ranking: z.array(z.string()).optional(),
});

export const ScenariosFile = z.strictObject({
  description: z.string().optional(),
  provenance: z.string().optional(),
  graph: z.string().min(1).optional(),
  decisions: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        scenario: z.string().trim().min(1),
        actions: z.array(z.string().trim().min(1)).min(2).max(20),
        rankings: z
          .array(
            z.strictObject({
              person: z.string().min(1),
              target: Profile,
              /** Action indices (0-based), most preferred first: a permutation of the actions. */
              ranking: z.array(z.number().int().min(0)),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});
export type ScenariosFileT = z.output<typeof ScenariosFile>;

/** Kendall's τ-b between two score lists (ties allowed); null without pairs or with no variation. */
export function kendallTau(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new RangeError('kendallTau needs two equally long lists');
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const n0 = concordant + discordant;
  const denom = Math.sqrt((n0 + tiesA) * (n0 + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : null;
}

/** A ranking (indices, best first) → a preference score per action (higher = preferred). */
export function rankingScores(ranking: readonly number[], n: number): number[] {
  const s = new Array<number>(n).fill(0);
  ranking.forEach((a, r) => (s[a] = n - r));
  return s;
}

export interface PairScores {
  spearman: number | null;
  kendall: number | null;
  top1: number;
}

/** Agreement of predicted preference scores with a reference ranking. */
export function agreement(predicted: readonly number[], reference: readonly number[]): PairScores {
  const ref = rankingScores(reference, predicted.length);
  const top = predicted.indexOf(Math.max(...predicted));
  return {
    spearman: spearman(predicted, ref),
    kendall: kendallTau(predicted, ref),
    top1: top === reference[0] ? 1 : 0,
  };
}

export interface MethodSummary {
  n: number;
  spearman: Interval;
  kendall: Interval;
  top1: Interval;
}

export interface DecisionEvalReport {
  graph: string;
  mode: DecisionMode;
  method: DecisionMethod;
  decisions: number;
  pairs: number;
  results: Record<'pluralign' | 'equal-weights' | 'consensus', MethodSummary | null>;
  perPair: Array<{ decision: string; person: string; pluralign: PairScores; consensus: PairScores | null }>;
}

/** Check that every ranking is a permutation of its decision's actions; messages name the entry. */
export function checkScenarios(file: ScenariosFileT): string[] {
  const issues: string[] = [];
  for (const d of file.decisions) {
    for (const r of d.rankings) {
      const sorted = [...r.ranking].sort((x, y) => x - y);
      if (sorted.length !== d.actions.length || sorted.some((x, i) => x !== i)) {
        issues.push(
          `decision "${d.id}", person "${r.person}": ranking must list each of the ${d.actions.length} action indices 0…${d.actions.length - 1} once`,
        );
      }
    }
  }
  return issues;
}

function summarise(
  byDecision: ReadonlyArray<readonly PairScores[]>,
  options: BootstrapOptions,
): MethodSummary {
  const pick = (k: keyof PairScores) =>
    byDecision.map((pairs) => pairs.map((p) => p[k]).filter((x): x is number => x !== null));
  const spearmanCi = clusteredMean(pick('spearman'), options);
  return {
    n: spearmanCi.n,
    spearman: spearmanCi,
    kendall: clusteredMean(pick('kendall'), options),
    top1: clusteredMean(pick('top1'), options),
  };
}

/** Run the decisions of a scenarios file for every person and compare with their rankings. */
export async function evaluateDecisions(
  deps: DecisionDeps,
  file: ScenariosFileT,
  options: BootstrapOptions & { graph?: string; mode?: DecisionMode; method?: DecisionMethod } = {},
): Promise<DecisionEvalReport> {
  const graph = options.graph ?? file.graph ?? deps.defaultGraph ?? 'schwartz-10';
  const mode = options.mode ?? 'embedded';
  const method = options.method ?? 'weighted-sum';
  const ours: PairScores[][] = [];
  const equal: PairScores[][] = [];
  const consensus: PairScores[][] = [];
  const perPair: DecisionEvalReport['perPair'] = [];
  for (const d of file.decisions) {
    const n = d.actions.length;
    const req = { scenario: d.scenario, actions: d.actions, graph, mode, method };
    const entry = deps.graphs.get(graph);
    const ids = entry ? entry.program.ids.filter((_, i) => entry.program.kinds[i] === 'value') : [];
    const evenly = await decide(deps, {
      ...req,
      target: { format: 'likert5', values: Object.fromEntries(ids.map((v) => [v, 3])) },
    });
    const equalScores = evenly.actions.map((a) => a.score);
    const o: PairScores[] = [];
    const e: PairScores[] = [];
    const c: PairScores[] = [];
    for (const r of d.rankings) {
      const res = await decide(deps, { ...req, target: r.target });
      const mine = agreement(
        res.actions.map((a) => a.score),
        r.ranking,
      );
      o.push(mine);
      e.push(agreement(equalScores, r.ranking));
      const others = d.rankings.filter((x) => x !== r);
      let cons: PairScores | null = null;
      if (others.length > 0) {
        // The others' summed preference ranks (n = their first choice): the consensus order.
        const together = new Array<number>(n).fill(0);
        for (const x of others)
          averageRanks(rankingScores(x.ranking, n)).forEach((rk, a) => (together[a]! += rk));
        cons = agreement(together, r.ranking);
        c.push(cons);
      }
      perPair.push({ decision: d.id, person: r.person, pluralign: mine, consensus: cons });
    }
    ours.push(o);
    equal.push(e);
    consensus.push(c);
  }
  const anyConsensus = consensus.some((c) => c.length > 0);
  return {
    graph,
    mode,
    method,
    decisions: file.decisions.length,
    pairs: perPair.length,
    results: {
      pluralign: summarise(ours, options),
      'equal-weights': summarise(equal, options),
      consensus: anyConsensus ? summarise(consensus, options) : null,
    },
    perPair,
  };
}
