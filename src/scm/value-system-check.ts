/**
 * Structural checks of a graph file's `valueSystem` block (schemas/graph.ts): higher-order groups list
 * value nodes, bipolar axes name a latent node and two declared groups, codes and aliases name one value
 * only. Each issue names the fix, like the rest of loadGraph's checks.
 */
import type { GraphFile, GraphNode } from '../../schemas/graph.js';
import type { ScmIssue } from './errors.js';

export function valueSystemIssues(file: GraphFile, nodes: ReadonlyMap<string, GraphNode>): ScmIssue[] {
  const issues: ScmIssue[] = [];
  const names = new Map<string, string>();
  file.nodes.forEach((node, i) => {
    if (node.kind !== 'value') {
      if (node.code !== undefined || node.aliases !== undefined) {
        issues.push({
          path: `nodes.${i}`,
          node: node.id,
          message: `node "${node.id}" is a ${node.kind} node: only value nodes take a code or aliases; remove them`,
        });
      }
      return;
    }
    for (const name of [node.code, ...(node.aliases ?? [])]) {
      if (name === undefined) continue;
      const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
      const other = names.get(key);
      if (other !== undefined && other !== node.id) {
        issues.push({
          path: `nodes.${i}`,
          node: node.id,
          message: `the name "${name}" of value "${node.id}" is also a name of "${other}"; give each value its own codes and aliases`,
        });
      } else names.set(key, node.id);
    }
  });
  const meta = file.valueSystem;
  if (!meta) return issues;
  const groups = new Set<string>();
  meta.higherOrder?.forEach((g, i) => {
    if (groups.has(g.id)) {
      issues.push({
        path: `valueSystem.higherOrder.${i}.id`,
        message: `higher-order group "${g.id}" is declared twice`,
      });
    }
    groups.add(g.id);
    g.members.forEach((m, j) => {
      if (nodes.get(m)?.kind !== 'value') {
        issues.push({
          path: `valueSystem.higherOrder.${i}.members.${j}`,
          node: m,
          message: `higher-order group "${g.id}" lists "${m}", which is not a value node; list value node ids`,
        });
      }
    });
  });
  meta.bipolar?.forEach((d, i) => {
    if (nodes.get(d.id)?.kind !== 'latent') {
      issues.push({
        path: `valueSystem.bipolar.${i}.id`,
        node: d.id,
        message: `bipolar axis "${d.id}" must be the id of a latent node of the graph`,
      });
    }
    for (const pole of ['positive', 'negative'] as const) {
      if (!groups.has(d[pole])) {
        issues.push({
          path: `valueSystem.bipolar.${i}.${pole}`,
          message: `bipolar axis "${d.id}": ${pole} pole "${d[pole]}" is not a group in valueSystem.higherOrder`,
        });
      }
    }
  });
  return issues;
}
