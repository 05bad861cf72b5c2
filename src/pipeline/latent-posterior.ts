/**
 * The uncertainty the structured action leaves on the latent dimensions, and what it adds to the
 * values inferred through them.
 *
 * The structured action picks h* = argmin ‖J(h − ĥ) − r‖² + λ‖h − ĥ‖² (J: the targets' total effects of
 * the latents, r: the targets' residuals, ĥ: the factual latents). Read as Gaussian conditioning — the
 * targets are observations of the latents with the targets' mean noise variance σ², under a prior
 * N(ĥ, σ²/λ) — h* is the posterior mean and the posterior covariance is
 *
 *   Σ = σ² (JᵀJ + λI)⁻¹  +  G Var(ĥ) Gᵀ,   G = (the derivative of h* in ĥ) = λ (JᵀJ + λI)⁻¹,
 *
 * the second term carrying the factual latents' own uncertainty when the factual profile is partial
 * evidence (their correlation with the targets' abducted terms is left out: an approximation). The
 * engine sets the latents by do(), so on its own it reports them (and the part of an inferred value that
 * comes through them) as certain; this module puts that uncertainty back. Linear graphs only (the
 * total effects); nonlinear ones keep the engine's figures.
 */
import { mutilatedEffect, totalEffect } from '../scm/compile.js';
import { cholesky, choleskySolve } from '../scm/linalg.js';
import type { CounterfactualResult, Program } from '../scm/index.js';

export interface LatentPosterior {
  /** Latent program indices (the structured solution's order). */
  latents: readonly number[];
  /** Posterior sd of each latent. */
  sd: Float64Array;
  /** Variance each node gains through the latents (0 for nodes they do not reach, the targets, the latents). */
  addedVariance: Float64Array;
}

export function latentPosterior(p: Program, result: CounterfactualResult): LatentPosterior | null {
  const s = result.structured;
  if (!s || s.latents.length === 0 || !p.linear) return null;
  const n = p.n;
  const nh = s.latents.length;
  const a = totalEffect(p);
  const jac = (q: number, j: number) => a[s.targets[q]! * n + s.latents[j]!]!;
  let noise = 0;
  for (const t of s.targets) noise += p.noiseVar[t]!;
  noise /= s.targets.length;
  // M = JᵀJ + λI and its inverse, column by column.
  const m = new Float64Array(nh * nh);
  for (let i = 0; i < nh; i++)
    for (let j = 0; j < nh; j++) {
      let sum = i === j ? s.lambda : 0;
      for (let q = 0; q < s.targets.length; q++) sum += jac(q, i) * jac(q, j);
      m[i * nh + j] = sum;
    }
  if (!cholesky(m, nh)) return null;
  const inv = new Float64Array(nh * nh);
  for (let j = 0; j < nh; j++) {
    const col = new Float64Array(nh);
    col[j] = 1;
    choleskySolve(m, nh, col);
    for (let i = 0; i < nh; i++) inv[i * nh + j] = col[i]!;
  }
  const fsd = result.factualSd;
  const cov = new Float64Array(nh * nh);
  for (let i = 0; i < nh; i++)
    for (let j = 0; j < nh; j++) {
      let sum = noise * inv[i * nh + j]!;
      if (fsd) {
        for (let k = 0; k < nh; k++) {
          const v = fsd[s.latents[k]!]! ** 2;
          sum += s.lambda * inv[i * nh + k]! * v * s.lambda * inv[j * nh + k]!;
        }
      }
      cov[i * nh + j] = sum;
    }
  // Effects of the latents in the counterfactual world: the targets are set, so paths through them are cut.
  const cut = new Uint8Array(n);
  for (const t of s.targets) cut[t] = 1;
  const eff = mutilatedEffect(p, cut);
  const addedVariance = new Float64Array(n);
  const isLatent = new Set(s.latents);
  for (let i = 0; i < n; i++) {
    if (cut[i] || isLatent.has(i)) continue;
    let v = 0;
    for (let x = 0; x < nh; x++)
      for (let y = 0; y < nh; y++)
        v += eff[i * n + s.latents[x]!]! * cov[x * nh + y]! * eff[i * n + s.latents[y]!]!;
    addedVariance[i] = Math.max(0, v);
  }
  const sd = Float64Array.from(s.latents, (_, j) => Math.sqrt(Math.max(0, cov[j * nh + j]!)));
  return { latents: s.latents, sd, addedVariance };
}
