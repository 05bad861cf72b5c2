/**
 * Friendly value names: "Self_Direction", "self-direction", "Self-Direction", "SelfDirection",
 * "self direction" and "Self-direction–thought" all normalise to snake_case ids.
 */

/** snake_case form of a name: accents dropped, camelCase split, every run of other characters → "_". */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The normalised name without separators, so "selfdirection" matches "self_direction". */
export function squashName(name: string): string {
  return normalizeName(name).replace(/_/g, '');
}

/** Levenshtein distance (small strings only). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate to `name` (by normalised edit distance), if it is close enough to suggest. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const n = normalizeName(name);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(n, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  // Also accept a candidate that starts with what was typed ("bene" → "benevolence").
  if (bestD > Math.max(2, Math.floor(n.length / 3))) {
    return n.length >= 3 ? candidates.find((c) => c.startsWith(n)) : undefined;
  }
  return best;
}
