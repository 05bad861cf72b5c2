/**
 * What a structured intervention did when it could not do what its name suggests, said in `notes`
 * rather than silently: a structured target with no latent parent is set exactly as `do()` would set
 * it (no other value moves through it), and a latent parent the caller also acts on is not chosen by
 * the structured action (the caller's value holds; only the other latents move). Also the latents the
 * alignment's cap held back (profile.ts LATENT_MOVE_CAP).
 */
import type { Intervention, Program } from '../scm/index.js';

function latentParents(p: Program, i: number): number[] {
  const out: number[] = [];
  for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) {
    const h = p.parentIdx[k]!;
    if (p.kinds[h] === 'latent') out.push(h);
  }
  return out;
}

/** Notes on the structured interventions of one query (unknown nodes are left to the engine's errors). */
export function structuredNotes(p: Program, interventions: readonly Intervention[] | undefined): string[] {
  const list = interventions ?? [];
  const acted = new Set<string>();
  const targets = new Set<string>();
  for (const iv of list) (iv.type === 'structured' ? targets : acted).add(iv.node);
  const notes: string[] = [];
  if (targets.size === 0) return notes;
  const shared = new Map<string, string[]>();
  for (const node of targets) {
    const i = p.index.get(node);
    if (i === undefined) continue;
    const parents = latentParents(p, i).map((h) => p.ids[h]!);
    if (parents.length === 0) {
      notes.push(
        `"${node}" has no latent parent in this graph: the structured action sets it exactly as do() would, and no other node moves through it`,
      );
      continue;
    }
    const held = parents.filter((h) => acted.has(h) || targets.has(h));
    if (held.length && held.length === parents.length) {
      notes.push(
        `every latent parent of "${node}" (${held.map((h) => `"${h}"`).join(', ')}) is also acted on, so the structured action chooses no latent for it: "${node}" is set as do() would set it`,
      );
    } else for (const h of held) shared.set(h, [...(shared.get(h) ?? []), node]);
  }
  for (const [h, nodes] of shared) {
    notes.push(
      `the latent "${h}" is also acted on: it keeps that value rather than the one that would best explain ${nodes.map((n) => `"${n}"`).join(', ')}`,
    );
  }
  return notes;
}

/** The note for latents the alignment's cap held back. */
export function cappedNote(
  latents: ReadonlyArray<{ label: string; capped: boolean }>,
  cap: number,
): string[] {
  const capped = latents.filter((l) => l.capped).map((l) => l.label.toLowerCase());
  if (!capped.length) return [];
  return [
    `the targets ask for a larger move of ${capped.join(' and ')} than ${cap} population sd; the move was capped there, so the values inferred through ${capped.length === 1 ? 'it' : 'them'} move less than an uncapped fit would say`,
  ];
}
