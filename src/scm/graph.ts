/**
 * Loading a graph file: schema validation (zod, `schemas/graph.ts`), then the structural checks that
 * need the whole graph, each reported with the node it concerns and the fix. The edges go into a
 * graphology graph, which finds duplicate edges, cycles (`hasCycle`) and the topological order; the
 * result keeps the order and the parents, and `compile()` turns them into the query program (typed
 * CSR arrays: the hot loops of abduction, prediction and explanation walk those, not graphology).
 */
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';
import type { z } from 'zod';
import { GraphFile, type GraphNode } from '../../schemas/graph.js';
import { ScmError, type ScmIssue } from './errors.js';
import { ExpressionError, translateExpression } from './expression.js';
import { valueSystemIssues } from './value-system-check.js';

export interface LoadedGraph {
  file: GraphFile;
  /** Node ids in topological order (parents before children; ties in declaration order). */
  order: string[];
  /** Parents of each node, in declaration order of the edges. */
  parents: Map<string, string[]>;
  nodes: Map<string, GraphNode>;
}

function zodIssues(error: z.ZodError, input: unknown): ScmIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    let node: string | undefined;
    if (issue.path[0] === 'nodes' && typeof issue.path[1] === 'number') {
      const raw = (input as { nodes?: Array<{ id?: unknown }> }).nodes?.[issue.path[1]];
      if (raw && typeof raw.id === 'string') node = raw.id;
    }
    const where = node ? `node "${node}": ` : path ? `${path}: ` : '';
    const suffix = node && path ? ` (at ${path})` : '';
    return { path, node, message: `${where}${issue.message}${suffix}` };
  });
}

/**
 * One cycle of a graph `hasCycle` found, as node ids with the first repeated at the end, for the error
 * message: graphology-dag says whether there is a cycle but not which, so an iterative DFS over the
 * graphology graph's out-neighbours finds it.
 */
function findCycle(dag: DirectedGraph): string[] {
  const state = new Map<string, 1 | 2>();
  for (const start of dag.nodes()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; kids: string[]; next: number }> = [
      { id: start, kids: dag.outNeighbors(start), next: 0 },
    ];
    const onPath: string[] = [start];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.kids.length) {
        const child = top.kids[top.next++]!;
        const s = state.get(child);
        if (s === 1) return [...onPath.slice(onPath.indexOf(child)), child];
        if (s === undefined) {
          state.set(child, 1);
          stack.push({ id: child, kids: dag.outNeighbors(child), next: 0 });
          onPath.push(child);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        onPath.pop();
      }
    }
  }
  throw new Error('findCycle: the graph has no cycle');
}

/**
 * Validate and load a graph definition. Throws ScmError (`GRAPH_INVALID` or `GRAPH_CYCLE`) listing
 * every issue found; the message names the first one.
 */
export function loadGraph(input: unknown): LoadedGraph {
  const parsed = GraphFile.safeParse(input);
  if (!parsed.success) throw ScmError.fromIssues('GRAPH_INVALID', zodIssues(parsed.error, input));
  const file = parsed.data;
  const issues: ScmIssue[] = [];
  const nodes = new Map<string, GraphNode>();
  file.nodes.forEach((node, i) => {
    if (nodes.has(node.id)) {
      issues.push({
        path: `nodes.${i}.id`,
        node: node.id,
        message: `node "${node.id}" is declared twice; give every node a unique id`,
      });
    } else nodes.set(node.id, node);
  });

  const parents = new Map<string, string[]>();
  const dag = new DirectedGraph();
  for (const [id, node] of nodes) {
    parents.set(id, []);
    dag.addNode(id, { kind: node.kind });
  }
  file.edges.forEach(([from, to], i) => {
    for (const end of [from, to]) {
      if (!nodes.has(end)) {
        issues.push({
          path: `edges.${i}`,
          node: end,
          message: `edge ${from} → ${to} names unknown node "${end}"; declare "${end}" in nodes or fix the edge`,
        });
      }
    }
    if (!nodes.has(from) || !nodes.has(to)) return;
    if (dag.hasEdge(from, to)) {
      issues.push({
        path: `edges.${i}`,
        node: to,
        message: `edge ${from} → ${to} is listed twice; remove the duplicate`,
      });
      return;
    }
    dag.addEdge(from, to);
    parents.get(to)!.push(from);
  });

  file.nodes.forEach((node, i) => {
    if (nodes.get(node.id) !== node) return;
    const pa = parents.get(node.id)!;
    const m = node.mechanism;
    const at = `nodes.${i}.mechanism`;
    if (pa.length === 0 && m.type !== 'root') {
      issues.push({
        path: at,
        node: node.id,
        message: `node "${node.id}" has no parents but a ${m.type} mechanism; give it a root mechanism { "type": "root", "mean": …, "sd": … } or add its parent edges`,
      });
      return;
    }
    if (pa.length > 0 && m.type === 'root') {
      issues.push({
        path: at,
        node: node.id,
        message: `node "${node.id}" has parents (${pa.join(', ')}) but a root mechanism; give it a linear or expression mechanism`,
      });
      return;
    }
    if (m.type === 'linear') {
      for (const name of Object.keys(m.coefficients)) {
        if (!nodes.has(name)) {
          issues.push({
            path: `${at}.coefficients.${name}`,
            node: node.id,
            message: `node "${node.id}" has a coefficient for unknown parent "${name}"; declare "${name}" and the edge ${name} → ${node.id}, or remove the coefficient`,
          });
        } else if (!pa.includes(name)) {
          issues.push({
            path: `${at}.coefficients.${name}`,
            node: node.id,
            message: `node "${node.id}" has a coefficient for "${name}" but there is no edge ${name} → ${node.id}; add the edge or remove the coefficient`,
          });
        }
      }
      for (const p of pa) {
        if (!Object.hasOwn(m.coefficients, p)) {
          issues.push({
            path: `${at}.coefficients`,
            node: node.id,
            message: `node "${node.id}" has parent "${p}" (edge ${p} → ${node.id}) but no coefficient for it; add coefficients.${p} or remove the edge`,
          });
        }
      }
    }
    if (m.type === 'expression') {
      try {
        translateExpression(
          m.expression,
          (s) => (pa.includes(s) ? 0 : undefined),
          (s) => nodes.has(s),
        );
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        const notParent = /^uses "([^"]+)", which is not a parent/.exec(err.message);
        const fix = notParent
          ? `; add the edge ${notParent[1]} → ${node.id} or remove "${notParent[1]}" from the expression`
          : '';
        issues.push({
          path: `${at}.expression`,
          node: node.id,
          message: `node "${node.id}": the expression ${err.message}${fix}`,
        });
      }
    }
  });

  issues.push(...valueSystemIssues(file, nodes));
  if (issues.length) throw ScmError.fromIssues('GRAPH_INVALID', issues);

  if (hasCycle(dag)) {
    const cycle = findCycle(dag);
    throw ScmError.fromIssues('GRAPH_CYCLE', [
      {
        path: 'edges',
        node: cycle[0],
        message: `the graph has a cycle through node "${cycle[0]}": ${cycle.join(' → ')}; remove one of these edges (a structural causal model must be acyclic)`,
      },
    ]);
  }

  const order = topologicalSort(dag);
  return { file, order, parents, nodes };
}
