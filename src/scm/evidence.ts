/**
 * Reading a query's evidence record into program order. The keys of the last record are kept with
 * their program indices, so a caller that sends records of the same shape (the common case: every
 * profile names the same nodes in the same order) pays one key comparison per node instead of a map
 * lookup; the values are read with one `Object.values` instead of a keyed load per node.
 */
import type { Program } from './compile.js';
import { ScmError, type ScmIssue } from './errors.js';
import type { Workspace } from './workspace.js';

/** Every problem with an evidence record: unknown nodes and values that are not finite numbers. */
export function evidenceIssues(p: Program, evidence: Readonly<Record<string, unknown>>): ScmIssue[] {
  const issues: ScmIssue[] = [];
  for (const key of Object.keys(evidence)) {
    const v = evidence[key];
    if (!p.index.has(key)) {
      issues.push({
        path: `evidence.${key}`,
        node: key,
        message: `evidence on unknown node "${key}"; graph "${p.id}" has nodes such as ${p.ids
          .slice(0, 5)
          .map((s) => `"${s}"`)
          .join(', ')}`,
      });
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.push({
        path: `evidence.${key}`,
        node: key,
        message: `evidence on "${key}" must be a finite number`,
      });
    }
  }
  return issues;
}

/** Program indices of `keys` (−1 for a key that names no node), reused while the key order repeats. */
function indicesOf(p: Program, ws: Workspace, keys: readonly string[]): Int32Array {
  const last = ws.evidenceKeys;
  if (last !== null && last.length === keys.length) {
    let same = true;
    for (let r = 0; r < keys.length; r++) {
      if (keys[r] !== last[r]) {
        same = false;
        break;
      }
    }
    if (same) return ws.evidenceIndex;
  }
  const index = new Int32Array(keys.length);
  for (let r = 0; r < keys.length; r++) index[r] = p.index.get(keys[r]!) ?? -1;
  ws.evidenceKeys = keys;
  ws.evidenceIndex = index;
  return index;
}

/**
 * Read the evidence into `ws.values` and `ws.mask` (program order; the largest magnitude into
 * `ws.largest`) and return the number of observed nodes. Throws UNKNOWN_NODE for a key that names no node, INVALID_QUERY for a value that is not a
 * finite number (every issue listed, in the record's key order).
 */
export function readEvidence(p: Program, ws: Workspace, evidence: Readonly<Record<string, number>>): number {
  const keys = Object.keys(evidence);
  const values: unknown[] = Object.values(evidence);
  const index = indicesOf(p, ws, keys);
  const { mask } = ws;
  mask.fill(0);
  let ok = values.length === keys.length;
  let largest = 0;
  for (let r = 0; ok && r < keys.length; r++) {
    const i = index[r]!;
    const v = values[r];
    if (i < 0 || typeof v !== 'number' || !Number.isFinite(v)) ok = false;
    else {
      ws.values[i] = v;
      mask[i] = 1;
      const m = Math.abs(v);
      if (m > largest) largest = m;
    }
  }
  ws.largest = largest;
  if (!ok) {
    const issues = evidenceIssues(p, evidence);
    const unknown = issues.some((i) => i.message.includes('unknown node'));
    throw ScmError.fromIssues(unknown ? 'UNKNOWN_NODE' : 'INVALID_QUERY', issues);
  }
  return keys.length;
}
