/**
 * Node id → number records of a result (`counterfactual`, `factualSd`, …), built fast. A result has
 * six of them; adding a graph's ~70 ids one by one to an empty object cost about 4 µs per record (the
 * object is rebuilt through a chain of hidden-class transitions every time). For a node list seen
 * again (the same compiled program, the same `nodes` selection), the record is built by a function
 * compiled once whose body is one object literal (`{"self_direction": v[2], …}`): V8 then copies a
 * ready-made shape, about ten times faster.
 *
 * The keys are written with JSON.stringify, which yields a valid JavaScript string literal for any id
 * (an uploaded graph's ids are caller text), and values are read by index: no id ever becomes code.
 * The result is the same object, keys in the same order, as the loop `out[id] = values[i]`.
 */

type Builder = (values: Float64Array) => Record<string, number>;

interface Selection {
  /** Calls so far; the builder is compiled on the second call (a graph used once pays no compile). */
  uses: number;
  build: Builder | null;
}

/** Selections kept per node list (a `nodes` selection per request could otherwise grow without bound). */
const MAX_SELECTIONS = 64;
/** Above this many keys the plain loop is used (a huge literal is slow to compile for one graph). */
const MAX_COMPILED_KEYS = 5000;

const cache = new WeakMap<readonly string[], Map<string, Selection>>();

function loop(
  nodes: readonly string[],
  values: Float64Array,
  only: readonly number[] | null,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (only) for (const i of only) out[nodes[i]!] = values[i]!;
  else for (let i = 0; i < nodes.length; i++) out[nodes[i]!] = values[i]!;
  return out;
}

function compile(nodes: readonly string[], only: readonly number[] | null): Builder {
  const indices = only ?? nodes.map((_, i) => i);
  // Duplicate ids cannot occur (graphs refuse them; `only` is deduplicated), but the literal would
  // keep the last value of a duplicate, as the loop does.
  const fields = indices.map((i) => `${JSON.stringify(nodes[i])}: v[${i}]`).join(',\n');
  return new Function('v', `"use strict";\nreturn {\n${fields}\n};`) as Builder;
}

/**
 * A builder of records over `nodes` (the node ids of a program, by index), keeping every node or
 * the indices in `only`, in that order.
 */
export function recordBuilder(nodes: readonly string[], only: readonly number[] | null): Builder {
  // The last compiled builder, found by identity (selectNodes hands out the same `only` for a repeated
  // selection): no key string to build.
  if (last.build && last.nodes === nodes && last.only === only) return last.build;
  const build = findBuilder(nodes, only);
  if (build !== last.build) Object.assign(last, { nodes, only, build: compiled.has(build) ? build : null });
  return build;
}

/** The builder returned last, when it was a compiled one. */
const last: { nodes: readonly string[] | null; only: readonly number[] | null; build: Builder | null } = {
  nodes: null,
  only: null,
  build: null,
};
/** Builders compiled so far (the loop's closures are not remembered as `last`). */
const compiled = new WeakSet<Builder>();

function findBuilder(nodes: readonly string[], only: readonly number[] | null): Builder {
  let selections = cache.get(nodes);
  if (!selections) cache.set(nodes, (selections = new Map()));
  const key = only ? only.join(',') : '*';
  let s = selections.get(key);
  if (!s) {
    if (selections.size >= MAX_SELECTIONS) selections.clear();
    selections.set(key, (s = { uses: 0, build: null }));
  }
  if (s.build) return s.build;
  if (++s.uses >= 2 && (only ?? nodes).length <= MAX_COMPILED_KEYS) {
    s.build = compile(nodes, only);
    compiled.add(s.build);
    return s.build;
  }
  return (values) => loop(nodes, values, only);
}
