/**
 * A few sentences a non-expert understands, built deterministically from the explanation object (no
 * language model): what the caller set, which unset values moved and why (through which higher-order
 * dimension), and what stayed put.
 */
import type { AlignExplanation } from './explanation.js';

/** Inferred values that move by more than this many likert points are always mentioned. */
export const SUMMARY_THRESHOLD = 0.25;

const f1 = (x: number) => x.toFixed(1);

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function summarize(
  ex: Omit<AlignExplanation, 'conditioning' | 'summary'>,
  labels: ReadonlyMap<string, string>,
): string {
  const sentences: string[] = [];
  const set = ex.values.filter((v) => v.status === 'set');
  if (set.length) {
    sentences.push(
      `You set ${list(set.map((v) => `${v.label.toLowerCase()} to ${f1(v.target!)} (from ${f1(v.factual)})`))}.`,
    );
  }
  const latentLabel = new Map(ex.latents.map((l) => [l.node, l.label]));
  const moved = ex.values
    .filter((v) => v.status === 'inferred' && Math.abs(v.change) > SUMMARY_THRESHOLD)
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
  for (const v of moved) {
    const dir = v.change > 0 ? 'rises' : 'falls';
    const top = v.contributions[0];
    const path = v.paths.find((p) => p.intervention === top?.intervention);
    const via = path && path.path.length > 2 ? path.path[1]! : undefined;
    let why = '';
    if (top) {
      const source = (labels.get(top.intervention) ?? top.intervention).toLowerCase();
      const target = set.find((s) => s.value === top.intervention);
      const verb = target ? (target.target! >= target.factual ? 'raising' : 'lowering') : 'changing';
      why = via
        ? `: ${verb} ${source} moves the ${(latentLabel.get(via) ?? via).toLowerCase()} dimension, which ${v.label.toLowerCase()} loads on`
        : `: it depends on ${source}`;
    }
    sentences.push(
      `${v.label} ${dir} from ${f1(v.factual)} to ${f1(v.counterfactual)} although you did not set it${why}.`,
    );
  }
  const still = ex.values.filter((v) => v.status === 'inferred' && Math.abs(v.change) <= SUMMARY_THRESHOLD);
  if (still.length) {
    sentences.push(
      `${list(still.map((v) => v.label))} ${still.length === 1 ? 'stays' : 'stay'} close to where they were.`,
    );
  }
  if (ex.concepts.express.length) {
    sentences.push(
      `The answer should express: ${list(ex.concepts.express.map((c) => c.label.toLowerCase()))}.`,
    );
  }
  return sentences.join(' ');
}
