/**
 * The graphs the service answers on: the bundled ones (loaded, validated and compiled once at boot)
 * and inline graphs sent with a request (validated and compiled per request, with a small cache keyed
 * by content hash so a client that sends the same inline graph repeatedly compiles it once).
 */
import type { GraphFile } from '../../schemas/graph.js';
import { contentHash, loadGraphDir, makeEntry, type GraphEntry } from '../graphs/registry.js';
import { ScmError } from '../scm/index.js';
import { ApiError } from './errors.js';

export interface ResolvedGraph {
  entry: GraphEntry;
  source: 'bundled' | 'inline';
}

const INLINE_CACHE_SIZE = 32;

export class GraphStore {
  readonly bundled: ReadonlyMap<string, GraphEntry>;
  private readonly inline = new Map<string, GraphEntry>();
  private readonly maxInlineNodes: number;

  constructor(bundled: ReadonlyMap<string, GraphEntry>, maxInlineNodes: number) {
    this.bundled = bundled;
    this.maxInlineNodes = maxInlineNodes;
  }

  /** Load every graph of `dir`; throws ScmError (naming the file and the node) on an invalid graph. */
  static fromDir(dir: string, maxInlineNodes: number): GraphStore {
    return new GraphStore(loadGraphDir(dir), maxInlineNodes);
  }

  list(): GraphEntry[] {
    return [...this.bundled.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** A bundled graph by id, or UNKNOWN_GRAPH (404) naming the known ids. */
  get(id: string, path = 'graph'): GraphEntry {
    const entry = this.bundled.get(id);
    if (entry) return entry;
    const known = this.list()
      .map((e) => e.id)
      .join(', ');
    const message = `no graph "${id}"; known graphs: ${known || '(none loaded)'}`;
    throw new ApiError('UNKNOWN_GRAPH', message, [{ path, message }]);
  }

  /** A bundled graph id or an inline definition (already schema-validated), compiled. */
  resolve(graph: string | GraphFile): ResolvedGraph {
    if (typeof graph === 'string') return { entry: this.get(graph), source: 'bundled' };
    if (graph.nodes.length > this.maxInlineNodes) {
      const message = `the inline graph has ${graph.nodes.length} nodes; at most ${this.maxInlineNodes} are allowed (MAX_INLINE_GRAPH_NODES)`;
      throw new ApiError('GRAPH_TOO_LARGE', message, [{ path: 'graph.nodes', message }]);
    }
    const hash = contentHash(graph);
    const cached = this.inline.get(hash);
    if (cached) {
      // Refresh its place in the LRU order.
      this.inline.delete(hash);
      this.inline.set(hash, cached);
      return { entry: cached, source: 'inline' };
    }
    let entry: GraphEntry;
    try {
      entry = makeEntry(graph, 'inline');
    } catch (err) {
      if (err instanceof ScmError) {
        throw new ApiError(
          err.code === 'GRAPH_CYCLE' ? 'GRAPH_CYCLE' : 'GRAPH_INVALID',
          `the inline graph is invalid: ${err.message}`,
          err.issues.map((i) => ({
            path: i.path ? `graph.${i.path}` : 'graph',
            message: i.message,
            ...(i.node !== undefined ? { node: i.node } : {}),
          })),
        );
      }
      throw err;
    }
    this.inline.set(hash, entry);
    if (this.inline.size > INLINE_CACHE_SIZE) this.inline.delete(this.inline.keys().next().value!);
    return { entry, source: 'inline' };
  }
}
