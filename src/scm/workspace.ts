/**
 * Per-program scratch space that queries reuse instead of allocating: flags and values indexed by node,
 * the action arrays, the mapping of the last evidence object's keys to program indices, and the
 * buffers of the partial-evidence solve. Queries are synchronous and never re-entrant, so one
 * workspace per compiled program is enough; every query starts by resetting what it reads. Nothing a
 * result holds on to lives here (results own their arrays).
 */
import type { EvidenceStructure } from './abduction.js';
import type { Program } from './compile.js';
import { emptyActions, type Actions } from './predict.js';

export interface Workspace {
  /** The actions of the current query (act, val, origin per node). */
  actions: Actions;
  /** 1 for the nodes the current prediction recomputed (`predict`). */
  affected: Uint8Array;
  /** The structured solver's trial actions and prediction (`resolveStructured`). */
  solve: { act: Uint8Array; val: Float64Array; out: Float64Array };
  /** 1 for the observed nodes of the current query. */
  mask: Uint8Array;
  /** Observed values by program index (only where `mask` is 1). */
  values: Float64Array;
  /** The largest |observed value| of the current query (the magnitude check). */
  largest: number;
  /** 1 for the nodes set by do() (partial evidence: the mutilated world). */
  cut: Uint8Array;
  /** Nodes at or downstream of a cut node. */
  reached: Uint8Array;
  /** Duplicate-intervention check: `stamp[i] === generation` when node i was seen in this query. */
  stamp: Uint32Array;
  generation: number;
  /** The key order of the last evidence object read and each key's program index (−1: unknown). */
  evidenceKeys: readonly string[] | null;
  evidenceIndex: Int32Array;
  /** Solve buffer of n entries (the first k used: α of partial evidence). */
  alpha: Float64Array;
  /** A propagation buffer of n entries (variance reductions). */
  propagate: Float64Array;
  /** Scratch row per node, −1 for none (`mutilatedVariance`). */
  slot: Int32Array;
  /** Scratch rows of n numbers (grown on demand): recomputed rows of the mutilated effect map. */
  rows: Float64Array;
  /** Scratch k×k matrix (grown on demand): A_O S A_Oᵀ of the observed set being factorised. */
  gram: Float64Array;
  /** W and Y of an observed set (n×k each, grown on demand; abduction.ts `carry`). */
  w: Float64Array;
  y: Float64Array;
  /** The evidence structure `w` and `y` currently belong to. */
  carried: EvidenceStructure | null;
}

/** The workspace of a program (created on its first query). */
export function workspace(p: Program): Workspace {
  return (p.cache.scratch ??= createWorkspace(p.n));
}

function createWorkspace(n: number): Workspace {
  return {
    actions: emptyActions(n),
    affected: new Uint8Array(n),
    solve: { act: new Uint8Array(n), val: new Float64Array(n), out: new Float64Array(n) },
    mask: new Uint8Array(n),
    values: new Float64Array(n),
    largest: 0,
    cut: new Uint8Array(n),
    reached: new Uint8Array(n),
    stamp: new Uint32Array(n),
    generation: 0,
    evidenceKeys: null,
    evidenceIndex: new Int32Array(0),
    alpha: new Float64Array(n),
    propagate: new Float64Array(n),
    slot: new Int32Array(n),
    rows: new Float64Array(0),
    gram: new Float64Array(0),
    w: new Float64Array(0),
    y: new Float64Array(0),
    carried: null,
  };
}

/** Start a new duplicate check: marks from earlier queries no longer count. */
export function nextGeneration(ws: Workspace): number {
  if (ws.generation >= 0xffffffff) {
    ws.stamp.fill(0);
    ws.generation = 0;
  }
  return ++ws.generation;
}
