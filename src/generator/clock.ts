/**
 * Time as a dependency: the reliability code reads the time and sets timers only through a `Clock`, so
 * unit tests drive it with a manual clock instead of waiting.
 */

export interface Clock {
  /** Monotonic milliseconds (deadlines and timeouts). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (only for HTTP-date `Retry-After`). */
  wallNow(): number;
  /** Run `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Resolve after `ms`, or reject with `signal.reason` as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
