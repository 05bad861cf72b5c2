/**
 * The explanations of steered chat completions, kept in memory so that a client reading a stream with
 * an SDK that drops unknown chunk fields can fetch it: GET /v1/explanations/{id}, with the id from the
 * `x-pluralign-explanation-id` header or `pluralign.explanation_id`. Bounded: the newest
 * EXPLANATION_CAPACITY entries, each for EXPLANATION_TTL_MS. Per process: behind several replicas the
 * fetch must reach the one that answered (the last chunk carries the same object for that case).
 */
import { randomBytes } from 'node:crypto';

export const EXPLANATION_CAPACITY = 1_000;
export const EXPLANATION_TTL_MS = 15 * 60_000;

export interface StoredEntry<T> {
  id: string;
  value: T;
  expiresAt: number;
}

export class ExplanationStore<T> {
  private readonly entries = new Map<string, StoredEntry<T>>();

  constructor(
    private readonly capacity = EXPLANATION_CAPACITY,
    private readonly ttlMs = EXPLANATION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new unguessable id. */
  static newId(): string {
    return `expl_${randomBytes(12).toString('hex')}`;
  }

  /** Store or replace; the oldest entry goes when full. */
  put(id: string, value: T): void {
    this.entries.delete(id);
    this.entries.set(id, { id, value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }
}
