/**
 * A few sentences a non-expert understands, built deterministically from the explanation object (no
 * language model): what the caller set, which unset values moved, with their uncertainty, and why —
 * through a higher-order dimension the move is an inference about the kind of person who holds the
 * set values, never called an effect of them — and what stayed put.
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
      // Through a latent the structured action chose, the link is an inference (a backtracking
      // counterfactual: the latent was picked to explain the target), not an effect of the target.
      why =
        via && path?.inferred
          ? `: inferred, not an effect of it — a person with ${source} where you set it most likely sits elsewhere on the ${(latentLabel.get(via) ?? via).toLowerCase()} dimension, which ${v.label.toLowerCase()} also loads on`
          : via
            ? `: it depends on ${source} through ${(latentLabel.get(via) ?? labels.get(via) ?? via).toLowerCase()}`
            : `: it depends on ${source}`;
    }
    const sd = v.sd > 0 ? ` (± ${f1(v.sd)})` : '';
    sentences.push(
      `${v.label} ${dir} from ${f1(v.factual)} to ${f1(v.counterfactual)}${sd} although you did not set it${why}.`,
    );
  }
  const still = ex.values.filter((v) => v.status === 'inferred' && Math.abs(v.change) <= SUMMARY_THRESHOLD);
  if (still.length) {
    sentences.push(
      `${list(still.map((v) => v.label))} ${still.length === 1 ? 'stays close to where it was' : 'stay close to where they were'}.`,
    );
  }
  if (ex.concepts.express.length) {
    sentences.push(
      `The answer should express: ${list(ex.concepts.express.map((c) => c.label.toLowerCase()))}.`,
    );
  }
  return sentences.join(' ');
}
