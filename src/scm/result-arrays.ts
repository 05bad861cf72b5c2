/**
 * The arrays a result owns (factual, noise, counterfactual, sds), carved out of a shared pool.
 *
 * A Float64Array of more than 8 numbers gets its own off-heap ArrayBuffer, and creating one costs
 * about 0.3 µs, as much as the arithmetic of a whole full-evidence query on ~30 nodes. Like Node's
 * Buffer pool, small arrays are views into a larger zeroed buffer, handed out once and never reused:
 * a view costs ~20 ns. A result's arrays therefore share their `.buffer` with other results; they
 * are ordinary arrays otherwise (index, slice, iterate). Copy an array (`slice()`) before
 * transferring its buffer to another thread. Arrays larger than a pool slice get their own buffer.
 */

/** Bytes per pool buffer. */
const POOL_BYTES = 16 * 1024;
/** Arrays of at most this many numbers come from the pool. */
const POOLED_MAX = POOL_BYTES / 8 / 8;

let pool = new ArrayBuffer(POOL_BYTES);
let offset = 0;

/** A zeroed Float64Array of `n` numbers, owned by the caller. */
export function resultArray(n: number): Float64Array {
  if (n > POOLED_MAX) return new Float64Array(n);
  const bytes = n * 8;
  if (offset + bytes > POOL_BYTES) {
    pool = new ArrayBuffer(POOL_BYTES);
    offset = 0;
  }
  const out = new Float64Array(pool, offset, n);
  offset += bytes;
  return out;
}

/** A copy of `source` in a pooled array. */
export function resultCopy(source: Float64Array): Float64Array {
  const out = resultArray(source.length);
  out.set(source);
  return out;
}
