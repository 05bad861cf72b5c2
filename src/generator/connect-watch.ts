/**
 * A connect timeout for Node's built-in fetch, which does not expose one (its undici agent fixes it at
 * 10 s and a custom agent needs the `undici` package). undici publishes documented diagnostics channels
 * for every request: `undici:request:create` when a request is queued and `undici:client:sendHeaders`
 * when it is written on a connected socket (after DNS, TCP and TLS, or at once on a reused keep-alive
 * socket). Each attempt carries a unique `x-client-request-id` header (OpenAI's documented correlation
 * header); we match it in both events and time the gap.
 *
 * If the channels never fire for a request (another fetch implementation), `onStart` is never called
 * and no connect timer is armed: the call degrades to the deadline and stream timeouts, nothing breaks.
 */
import { subscribe } from 'node:diagnostics_channel';

export const CORRELATION_HEADER = 'x-client-request-id';

export interface ConnectWatch {
  /** The request was handed to the HTTP client: arm the connect timer. */
  onStart(): void;
  /** The request's headers were written on a connected socket: the connect phase is over. */
  onConnected(): void;
}

const watches = new Map<string, ConnectWatch>();
let subscribed = false;

/** The watched correlation id carried by an undici request, if any. */
function watchedId(request: unknown): string | undefined {
  const headers = (request as { headers?: unknown } | null | undefined)?.headers;
  if (Array.isArray(headers)) {
    // undici ≥ 6: a flat [name, value, name, value, …] list
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== CORRELATION_HEADER) continue;
      const value = String(headers[i + 1]);
      if (watches.has(value)) return value;
    }
  } else if (typeof headers === 'string') {
    // undici 5: raw "name: value\r\n" lines
    const m = /(?:^|\n)x-client-request-id:\s*([^\r\n]*)/i.exec(headers);
    const value = m?.[1]?.trim();
    if (value !== undefined && watches.has(value)) return value;
  }
  return undefined;
}

/**
 * Each undici request's watched id, read from its headers once (at its first event: every event of a
 * request carries the same request object); null when it is not watched, or once it has connected (its
 * later events, and every event of a request nobody watches, then cost a map lookup).
 */
const seen = new WeakMap<object, string | null>();

function idOf(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return null;
  let id = seen.get(request);
  if (id === undefined) seen.set(request, (id = watchedId(request) ?? null));
  return id;
}

function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    if (watches.size === 0) return;
    const id = idOf((message as { request?: unknown }).request);
    if (id !== null) watches.get(id)?.onStart();
  });
  const connected = (message: unknown) => {
    if (watches.size === 0) return;
    const request = (message as { request?: unknown }).request;
    const id = idOf(request);
    if (id === null) return;
    seen.set(request as object, null); // connected: its later events have nothing to say
    watches.get(id)?.onConnected();
  };
  // sendHeaders is the precise signal; bodySent and response headers back it up (they imply a
  // connection) for a client path that would not publish sendHeaders.
  subscribe('undici:client:sendHeaders', connected);
  subscribe('undici:request:bodySent', connected);
  subscribe('undici:request:headers', connected);
}

/** Watch the request that will carry `x-client-request-id: id`; returns the function that stops watching. */
export function watchConnect(id: string, watch: ConnectWatch): () => void {
  ensureSubscribed();
  watches.set(id, watch);
  return () => {
    if (watches.get(id) === watch) watches.delete(id);
  };
}
