/**
 * A counterfactual worker thread (started by pool.ts): compiles the graph it is sent (a small cache of
 * compiled programs by content hash) and runs the request, answering the outcome or the DomainError.
 * The pool terminates a worker whose job outlives the time budget; nothing here needs to check it.
 */
import { parentPort } from 'node:worker_threads';
import { loadExpressionParser } from '../graphs/expression-parser.js';
import { makeEntry } from '../graphs/registry.js';
import { DomainError } from '../errors.js';
import { invalidGraphError } from '../graphs/store.js';
import { ScmError, type Program } from '../scm/index.js';
import { runCounterfactualRequest } from './counterfactual-request.js';
import type { JobMessage, ReplyMessage } from './pool.js';

const PROGRAM_CACHE_SIZE = 16;
const programs = new Map<string, Program>();

function programFor(job: JobMessage): Program {
  const cached = programs.get(job.graph.hash);
  if (cached) return cached;
  let program: Program;
  try {
    program = makeEntry(job.graph.file, job.graph.inline ? 'inline' : 'stored').program;
  } catch (err) {
    if (err instanceof ScmError) throw invalidGraphError(err, 'graph', 'the inline graph');
    throw err;
  }
  if (programs.size >= PROGRAM_CACHE_SIZE) programs.delete(programs.keys().next().value!);
  programs.set(job.graph.hash, program);
  return program;
}

const port = parentPort!;
port.on('message', (job: JobMessage) => {
  let reply: ReplyMessage;
  try {
    reply = {
      id: job.id,
      ok: true,
      outcome: runCounterfactualRequest(programFor(job), job.graph.file.scale, job.body),
    };
  } catch (err) {
    reply =
      err instanceof DomainError
        ? { id: job.id, ok: false, error: { code: err.code, message: err.message, details: err.details } }
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
