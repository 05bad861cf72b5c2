/**
 * The work budget of alignments (POST /v1/align, the chat route, batch lines): the counterfactual
 * profile (abduction, action, prediction, the values' explanation) of a request estimated above
 * COUNTERFACTUAL_INLINE_WORK runs on the compute pool's worker threads under COUNTERFACTUAL_BUDGET_MS,
 * like a counterfactual request, so an uploaded graph of a thousand nodes ends with 422
 * WORK_BUDGET_EXCEEDED (or 503 OVERLOADED) instead of holding the event loop. Small profiles (every
 * bundled graph) are computed in place, and every profile is cached as before.
 */
import type { GraphEntry } from '../graphs/registry.js';
import {
  cachedProfile,
  lookupProfile,
  rememberProfile,
  type CounterfactualProfile,
  type ProfileRequest,
} from '../pipeline/profile.js';
import { profileWork } from './estimate.js';
import type { ComputePool } from './pool.js';

export type ProfileComputer = (
  entry: GraphEntry,
  req: ProfileRequest,
) => CounterfactualProfile | Promise<CounterfactualProfile>;

export function budgetedProfiles(pool: ComputePool, inlineWork: number): ProfileComputer {
  return (entry, req) => {
    const hit = lookupProfile(entry, req);
    if (hit) return hit;
    if (profileWork(entry.program, req) <= inlineWork) return cachedProfile(entry, req);
    const graph = { hash: entry.hash, file: entry.file, inline: entry.source === 'inline' };
    return pool.runProfile(graph, req).then((profile) => rememberProfile(entry, req, profile));
  };
}
