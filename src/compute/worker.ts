/**
 * A compute worker thread (started by pool.ts): compiles the graph it is sent (a small cache of
 * compiled graphs by content hash) and runs the task (a counterfactual request, or an alignment's
 * counterfactual profile), answering the outcome or the DomainError.
 * The pool terminates a worker whose job outlives the time budget; nothing here needs to check it.
 */
import { parentPort } from 'node:worker_threads';
import { loadExpressionParser } from '../graphs/expression-parser.js';
import { makeEntry, type GraphEntry } from '../graphs/registry.js';
import { DomainError } from '../errors.js';
import { fromPipelineError } from '../error-mapping.js';
import { invalidGraphError } from '../graphs/store.js';
import { fromScmError } from '../pipeline/counterfactual.js';
import { cachedProfile } from '../pipeline/profile.js';
import { ScmError } from '../scm/index.js';
import { runCounterfactualRequest } from './counterfactual-request.js';
import type { JobMessage, ReplyMessage } from './pool.js';

const GRAPH_CACHE_SIZE = 16;
const entries = new Map<string, GraphEntry>();

function entryFor(job: JobMessage): GraphEntry {
  const cached = entries.get(job.graph.hash);
  if (cached) return cached;
  let entry: GraphEntry;
  try {
    entry = makeEntry(job.graph.file, job.graph.inline ? 'inline' : 'stored');
  } catch (err) {
    if (err instanceof ScmError) throw invalidGraphError(err, 'graph', 'the inline graph');
    throw err;
  }
  if (entries.size >= GRAPH_CACHE_SIZE) entries.delete(entries.keys().next().value!);
  entries.set(job.graph.hash, entry);
  return entry;
}

function runTask(job: JobMessage) {
  const entry = entryFor(job);
  const { task } = job;
  if (task.kind === 'profile') return cachedProfile(entry, task.request);
  return runCounterfactualRequest(entry.program, job.graph.file.scale, task.body);
}

/** A domain error as the catalogued error the route would have answered, or null (internal). */
function asDomainError(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (err instanceof ScmError) return fromScmError(err, '');
  return fromPipelineError(err);
}

const port = parentPort!;
port.on('message', (job: JobMessage) => {
  let reply: ReplyMessage;
  try {
    reply = { id: job.id, ok: true, outcome: runTask(job) };
  } catch (err) {
    const api = asDomainError(err);
    reply =
      api !== null
        ? { id: job.id, ok: false, error: { code: api.code, message: api.message, details: api.details } }
        : {
            id: job.id,
            ok: false,
            internal: err instanceof Error ? (err.stack ?? err.message) : String(err),
          };
  }
  port.postMessage(reply);
});
// mathjs (for expression mechanisms) loads now, not inside the first job's time budget.
loadExpressionParser();
port.postMessage({ ready: true });
