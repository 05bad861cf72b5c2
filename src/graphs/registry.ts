/**
 * The bundled value systems: every `graphs/*.json` file, validated and compiled once, with a content
 * hash that versions it. (File I/O lives here, outside the pure engine.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphFile } from '../../schemas/graph.js';
import { compile, loadGraph, ScmError, type Program } from '../scm/index.js';
import './expression-parser.js';
import { valueSystemFromGraph, type ValueSystem } from '../values/systems.js';

/** The graph a request, command or profile uses when it names none. */
export const DEFAULT_GRAPH = 'schwartz-10';

export interface GraphEntry {
  id: string;
  version: string;
  /** sha256 of the canonical JSON of the definition, first 16 hex digits. */
  hash: string;
  file: GraphFile;
  program: Program;
  /** The value system its value nodes form (labels, aliases, higher-order groups), from the file. */
  system: ValueSystem;
  /** Where it came from: a file path, or `inline`. */
  source: string;
}

/** The package root (the folder holding package.json), from this module's location in src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'graphs'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the pluralign package root (a folder with package.json and graphs/)');
}

export function bundledGraphsDir(): string {
  return join(packageRoot(), 'graphs');
}

/** Canonical JSON: object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(file: GraphFile): string {
  return createHash('sha256').update(canonicalJson(file)).digest('hex').slice(0, 16);
}

/** Validate and compile a graph definition (throws ScmError with the node and the fix). */
export function makeEntry(definition: unknown, source = 'inline'): GraphEntry {
  const loaded = loadGraph(definition);
  const program = compile(loaded);
  return {
    id: loaded.file.id,
    version: loaded.file.version,
    hash: contentHash(loaded.file),
    file: loaded.file,
    program,
    system: valueSystemFromGraph(loaded.file),
    source,
  };
}

export function readGraphFile(path: string): GraphEntry {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScmError('GRAPH_INVALID', `cannot read graph file ${path}: ${(err as Error).message}`);
  }
  try {
    return makeEntry(json, path);
  } catch (err) {
    if (err instanceof ScmError) throw new ScmError(err.code, `${path}: ${err.message}`, err.issues);
    throw err;
  }
}

/** Every graph in `dir` (files `*.json`), keyed by id. A duplicate id is an error. */
export function loadGraphDir(dir = bundledGraphsDir()): Map<string, GraphEntry> {
  const out = new Map<string, GraphEntry>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name.endsWith('.schema.json')) continue;
    const entry = readGraphFile(join(dir, name));
    const prev = out.get(entry.id);
    if (prev)
      throw new ScmError(
        'GRAPH_INVALID',
        `graph id "${entry.id}" is used by both ${prev.source} and ${entry.source}`,
      );
    out.set(entry.id, entry);
  }
  return out;
}

/** A graph named by a file path or by the id of a bundled graph. */
export function resolveGraph(arg: string, graphs: Map<string, GraphEntry> = loadGraphDir()): GraphEntry {
  const byId = graphs.get(arg);
  if (byId) return byId;
  const path = resolve(arg);
  if (existsSync(path)) return readGraphFile(path);
  const known = [...graphs.keys()].join(', ') || '(none)';
  throw new ScmError(
    'UNKNOWN_GRAPH',
    `no graph "${arg}": give a file path or one of the bundled ids: ${known}`,
  );
}

let bundled: Map<string, GraphEntry> | null = null;

/** The bundled graphs (`graphs/*.json`), read once; a broken file throws (it would not boot either). */
export function bundledGraphs(): ReadonlyMap<string, GraphEntry> {
  bundled ??= loadGraphDir();
  return bundled;
}

/** The value system of a bundled graph, by graph id. */
export function bundledValueSystem(id: string): ValueSystem | undefined {
  return bundledGraphs().get(id)?.system;
}
