/**
 * SCM work too large for the event loop runs on a pool of worker threads (COUNTERFACTUAL_WORKERS):
 * counterfactual requests, and the counterfactual profiles of alignments on large graphs
 * (profile-budget.ts). Each job runs under a time budget (COUNTERFACTUAL_BUDGET_MS): a job still
 * running when its budget is spent is stopped (the worker is terminated and replaced) and answered
 * 422 WORK_BUDGET_EXCEEDED. A job waits for a free worker at most as long as the budget, and at most
 * COUNTERFACTUAL_QUEUE jobs wait: beyond either, 503 OVERLOADED. The workers start with the first job
 * (a starting worker's load time does not count against the budget) and a stopped one is replaced at once.
 *
 * Run from the TypeScript sources (tsx, vitest), a worker registers tsx before loading its entry;
 * from `dist/`, it loads the compiled entry directly.
 */
import { Worker } from 'node:worker_threads';
import type { GraphFile } from '../../schemas/graph.js';
import { DomainError, type ErrorCode, type ErrorDetail } from '../errors.js';
import type { CounterfactualProfile, ProfileRequest } from '../pipeline/profile.js';
import type { CounterfactualOutcome, CounterfactualRequest } from './counterfactual-request.js';

/** What a worker is asked: a counterfactual request, or an alignment's counterfactual profile. */
export type Task =
  { kind: 'counterfactual'; body: CounterfactualRequest } | { kind: 'profile'; request: ProfileRequest };

export interface JobMessage {
  id: number;
  graph: { hash: string; file: GraphFile; inline: boolean };
  task: Task;
}

export type ReplyMessage =
  | { id: number; ok: true; outcome: CounterfactualOutcome | CounterfactualProfile }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; details: ErrorDetail[] } }
  | { id: number; ok: false; internal: string };

export interface PoolSettings {
  workers: number;
  budgetMs: number;
  maxQueue: number;
}

interface Pending {
  message: JobMessage;
  resolve: (o: never) => void;
  reject: (e: Error) => void;
  queuedTimer: NodeJS.Timeout | null;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

/** How long a starting worker may take to load before the jobs waiting for it are refused. */
const WORKER_START_MS = 30_000;

/** The heap a worker may use before it is stopped (its job then fails like an exceeded budget). */
const WORKER_HEAP_MB = 512;

function spawnWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  }
  return new Worker(new URL('./worker.js', here), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
}

export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly settings: PoolSettings,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  private budgetError(job: Pending | null): DomainError {
    const ms = `${this.settings.budgetMs} ms of computation (COUNTERFACTUAL_BUDGET_MS)`;
    const message =
      job?.message.task.kind === 'profile'
        ? `the counterfactual profile of this alignment on graph "${job.message.graph.file.id}" needs more than ${ms}; set fewer target values, use action "do", or a smaller graph`
        : `the request needs more than ${ms}; ask for less: explain "none", fewer queries or interventions, full evidence, or a smaller graph`;
    return new DomainError('WORK_BUDGET_EXCEEDED', message);
  }

  private busyError(): DomainError {
    return new DomainError(
      'OVERLOADED',
      `every counterfactual worker is busy (COUNTERFACTUAL_WORKERS=${this.settings.workers}); retry shortly`,
    );
  }

  /** Run a request on a worker; rejects with a DomainError (the request's own, or budget/overload). */
  run(graph: JobMessage['graph'], body: CounterfactualRequest): Promise<CounterfactualOutcome> {
    return this.runTask(graph, { kind: 'counterfactual', body });
  }

  /** Compute an alignment's counterfactual profile on a worker (rejects like `run`). */
  runProfile(graph: JobMessage['graph'], request: ProfileRequest): Promise<CounterfactualProfile> {
    return this.runTask(graph, { kind: 'profile', request });
  }

  private runTask<T>(graph: JobMessage['graph'], task: Task): Promise<T> {
    if (this.closed) return Promise.reject(new DomainError('SHUTTING_DOWN', 'the server is shutting down'));
    // Workers free or not started yet take a job at once; beyond them, at most maxQueue jobs wait.
    const free = this.slots.filter((slot) => !slot.job).length + this.settings.workers - this.slots.length;
    if (this.queue.length >= this.settings.maxQueue + free) return Promise.reject(this.busyError());
    return new Promise<T>((resolve, reject) => {
      const job: Pending = {
        message: { id: this.nextId++, graph, task },
        resolve: resolve as (o: never) => void,
        reject,
        queuedTimer: null,
      };
      this.queue.push(job);
      this.warm();
      // A worker still starting (loading its modules) does not count against the wait.
      const starting = this.slots.some((slot) => !slot.ready);
      job.queuedTimer = setTimeout(
        () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) this.queue.splice(i, 1);
          reject(this.busyError());
        },
        this.settings.budgetMs + (starting ? WORKER_START_MS : 0),
      );
      job.queuedTimer.unref();
      this.dispatch();
    });
  }

  stats(): Record<'starting' | 'idle' | 'busy' | 'queued', number> {
    const ready = this.slots.filter((slot) => slot.ready);
    const busy = ready.filter((slot) => slot.job).length;
    return {
      starting: this.slots.length - ready.length,
      idle: ready.length - busy,
      busy,
      queued: this.queue.length,
    };
  }

  /** Start every worker not running (on the first job, and after one was stopped). */
  private warm(): void {
    while (!this.closed && this.slots.length < this.settings.workers) this.slots.push(this.start());
  }

  private start(): Slot {
    const slot: Slot = { worker: spawnWorker(), ready: false, job: null, timer: null };
    slot.worker.unref();
    slot.worker.on('message', (m: ReplyMessage | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        this.dispatch();
        return;
      }
      this.finish(slot, m);
    });
    slot.worker.on('error', (err) => this.lost(slot, err));
    slot.worker.on('exit', (code) => this.lost(slot, new Error(`counterfactual worker exited (${code})`)));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      if (job.queuedTimer) clearTimeout(job.queuedTimer);
      slot.job = job;
      slot.timer = setTimeout(() => this.overBudget(slot), this.settings.budgetMs);
      slot.worker.postMessage(job.message);
    }
  }

  private finish(slot: Slot, m: ReplyMessage): void {
    const job = slot.job;
    if (!job || job.message.id !== m.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    if (m.ok) job.resolve(m.outcome as never);
    else if ('error' in m) job.reject(new DomainError(m.error.code, m.error.message, m.error.details));
    else {
      this.onError(new Error(m.internal));
      job.reject(new DomainError('INTERNAL', 'internal error'));
    }
    this.dispatch();
  }

  /** The job outlived its budget: stop the worker (its job fails) and start another. */
  private overBudget(slot: Slot): void {
    const job = slot.job;
    this.replace(slot);
    job?.reject(this.budgetError(job));
  }

  /** A worker died (out of memory, a crash): its job fails like an exceeded budget. */
  private lost(slot: Slot, err: unknown): void {
    if (!this.slots.includes(slot)) return;
    const job = slot.job;
    this.replace(slot);
    if (job) job.reject(this.budgetError(job));
    else if (!this.closed) this.onError(err);
  }

  private replace(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
    if (this.closed) return;
    // The replacement starts now, so that the next request finds it loaded.
    this.slots.push(this.start());
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      if (job.queuedTimer) clearTimeout(job.queuedTimer);
      job.reject(new DomainError('SHUTTING_DOWN', 'the server is shutting down'));
    }
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (s) => {
        if (s.timer) clearTimeout(s.timer);
        s.job?.reject(new DomainError('SHUTTING_DOWN', 'the server is shutting down'));
        await s.worker.terminate();
      }),
    );
  }
}
