/**
 * Arrays that outlive a query — a result's (factual, noise, counterfactual, sds) and a cached observed
 * set's (Cholesky factor, W, Y, variances) — carved out of shared pools.
 *
 * A Float64Array of more than 8 numbers gets its own off-heap ArrayBuffer: creating one costs about
 * 0.3 µs (as much as the arithmetic of a whole full-evidence query on ~30 nodes), and the external
 * memory it adds makes the garbage collector run more often. Like Node's Buffer pool, small arrays are
 * views into a larger zeroed buffer, each slice handed out once and never reused: a view costs ~20 ns.
 * Arrays from a pool share their `.buffer` with other arrays; they are ordinary arrays otherwise (index,
 * slice, iterate). Copy one (`slice()`) before transferring its buffer to another thread. A pool buffer
 * lives as long as any array carved from it, so the pools are small and only take small arrays; larger
 * arrays get their own buffer.
 */

class Pool {
  private buffer: ArrayBuffer;
  private offset = 0;
  /** Arrays of at most this many numbers come from the pool. */
  private readonly maxLength: number;

  constructor(private readonly bytes: number) {
    this.buffer = new ArrayBuffer(bytes);
    this.maxLength = bytes / 8 / 8;
  }

  /** A zeroed Float64Array of `n` numbers. */
  take(n: number): Float64Array {
    if (n > this.maxLength) return new Float64Array(n);
    const bytes = n * 8;
    if (this.offset + bytes > this.bytes) {
      this.buffer = new ArrayBuffer(this.bytes);
      this.offset = 0;
    }
    const out = new Float64Array(this.buffer, this.offset, n);
    this.offset += bytes;
    return out;
  }
}

/** Results: 16 KiB buffers, arrays of up to 256 numbers (a retained result keeps ≤ 16 KiB alive). */
const results = new Pool(16 * 1024);
/** Per-observed-set structures cached on a program (bounded caches): 128 KiB, up to 2,048 numbers. */
const structures = new Pool(128 * 1024);

/** A zeroed Float64Array of `n` numbers for a result, owned by the caller. */
export function resultArray(n: number): Float64Array {
  return results.take(n);
}

/** A copy of `source` in a result array. */
export function resultCopy(source: Float64Array): Float64Array {
  const out = results.take(source.length);
  out.set(source);
  return out;
}

/** A zeroed Float64Array of `n` numbers for a cached structure. */
export function structureArray(n: number): Float64Array {
  return structures.take(n);
}

/** A copy of `source` in a structure array. */
export function structureCopy(source: Float64Array): Float64Array {
  const out = structures.take(source.length);
  out.set(source);
  return out;
}
