/**
 * Why the top action beat the runner-up (pure): the per-value differences of their contributions to the
 * score, largest first, and one or two sentences from them. For `weighted-sum` and `promethee` the
 * differences add up to the margin exactly; for `topsis` they are the differences of the weighted
 * normalised criteria the distances are built from.
 */
export interface DecisionDriver {
  value: string;
  label: string;
  /** Contribution of the top action minus the runner-up's. */
  difference: number;
  weight: number;
  /** The two actions' relevance to the value. */
  top: number;
  runnerUp: number;
}

export interface DecisionExplanation {
  top: number;
  runnerUp: number;
  margin: number;
  /** Every value with a non-zero difference, largest |difference| first. */
  drivers: DecisionDriver[];
  text: string;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

function quote(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return `“${one.length > max ? `${one.slice(0, max - 1)}…` : one}”`;
}

function stance(r: number): string {
  if (r >= 0.15) return 'serves it';
  if (r <= -0.15) return 'goes against it';
  return 'is neutral to it';
}

export function explainDecision(input: {
  ranking: readonly number[];
  actions: readonly string[];
  scores: readonly number[];
  contributions: readonly number[][];
  relevance: readonly number[][];
  weights: readonly number[];
  values: ReadonlyArray<{ id: string; label: string }>;
}): DecisionExplanation {
  const [top, runnerUp] = [input.ranking[0]!, input.ranking[1]!];
  const drivers: DecisionDriver[] = input.values
    .map((v, k) => ({
      value: v.id,
      label: v.label,
      difference: round(input.contributions[top]![k]! - input.contributions[runnerUp]![k]!),
      weight: round(input.weights[k]!),
      top: input.relevance[top]![k]!,
      runnerUp: input.relevance[runnerUp]![k]!,
    }))
    .filter((d) => d.difference !== 0)
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.value.localeCompare(b.value));
  const margin = round(input.scores[top]! - input.scores[runnerUp]!);
  const a = quote(input.actions[top]!);
  const b = quote(input.actions[runnerUp]!);
  // The values that matter: at least a tenth of the largest difference.
  const floor = 0.1 * Math.abs(drivers[0]?.difference ?? 0);
  const pro = drivers.filter((d) => d.difference > floor).slice(0, 2);
  const con = drivers.filter((d) => d.difference < -floor).slice(0, 1);
  let text: string;
  if (margin === 0 || pro.length === 0) {
    text = `${a} and ${b} tie: no value of this profile tells them apart.`;
  } else {
    const why = pro
      .map(
        (d) =>
          `${d.label} (weight ${d.weight.toFixed(2)}: ${a} ${stance(d.top)}, ${b} ${stance(d.runnerUp)})`,
      )
      .join(' and ');
    text = `${a} ranks above ${b} by ${margin.toFixed(3)}, mainly through ${why}.`;
    if (con.length) text += ` ${b} was ahead on ${con[0]!.label}, which weighs less for this profile.`;
  }
  return { top, runnerUp, margin, drivers, text };
}
