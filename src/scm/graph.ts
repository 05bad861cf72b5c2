/**
 * Loading a graph file: schema validation (zod, `schemas/graph.ts`), then the structural checks that
 * need the whole graph, each reported with the node it concerns and the fix. The result holds a
 * graphology DAG and the topological order; `compile()` turns it into the query program.
 */
import { DirectedGraph } from 'graphology';
import { topologicalSort } from 'graphology-dag';
import type { z } from 'zod';
import { GraphFile, type GraphNode } from '../../schemas/graph.js';
import { ScmError, type ScmIssue } from './errors.js';
import { ExpressionError, translateExpression } from './expression.js';
import { valueSystemIssues } from './value-system-check.js';

export interface LoadedGraph {
  file: GraphFile;
  dag: DirectedGraph;
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

/** Find one cycle (as a list of node ids, first repeated at the end) with an iterative DFS. */
function findCycle(ids: string[], children: Map<string, string[]>): string[] | null {
  const state = new Map<string, 0 | 1 | 2>();
  for (const start of ids) {
    if (state.get(start)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    const onPath: string[] = [start];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const kids = children.get(top.id) ?? [];
      if (top.next < kids.length) {
        const child = kids[top.next++]!;
        const s = state.get(child) ?? 0;
        if (s === 1) {
          const from = onPath.indexOf(child);
          return [...onPath.slice(from), child];
        }
        if (s === 0) {
          state.set(child, 1);
          stack.push({ id: child, next: 0 });
          onPath.push(child);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        onPath.pop();
      }
    }
  }
  return null;
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
  const children = new Map<string, string[]>();
  for (const id of nodes.keys()) {
    parents.set(id, []);
    children.set(id, []);
  }
  const seen = new Set<string>();
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
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) {
      issues.push({
        path: `edges.${i}`,
        node: to,
        message: `edge ${from} → ${to} is listed twice; remove the duplicate`,
      });
      return;
    }
    seen.add(key);
    parents.get(to)!.push(from);
    children.get(from)!.push(to);
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

  const ids = [...nodes.keys()];
  const cycle = findCycle(ids, children);
  if (cycle) {
    throw ScmError.fromIssues('GRAPH_CYCLE', [
      {
        path: 'edges',
        node: cycle[0],
        message: `the graph has a cycle through node "${cycle[0]}": ${cycle.join(' → ')}; remove one of these edges (a structural causal model must be acyclic)`,
      },
    ]);
  }

  const dag = new DirectedGraph();
  for (const id of ids) dag.addNode(id, { kind: nodes.get(id)!.kind });
  for (const [from, to] of file.edges) if (!dag.hasEdge(from, to)) dag.addEdge(from, to);
  const order = topologicalSort(dag);
  return { file, dag, order, parents, nodes };
}
