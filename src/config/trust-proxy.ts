/**
 * TRUST_PROXY: which `X-Forwarded-For` entries are believed. The leftmost entry is written by the
 * client, so trusting all of them (`true` in fastify) lets a client behind a correct proxy pick its
 * address (and bypass the per-IP limit). Accepted values:
 * - `false` (default): the socket's address; the headers are ignored;
 * - `true` or a number N: N proxies in front of the service (`true` = 1); the client is the address
 *   the outermost of them saw, the N-th entry from the right;
 * - a comma-separated list of proxy addresses or CIDR ranges (also `loopback`, `linklocal`,
 *   `uniquelocal`): entries from those addresses are skipped from the right, the first other one is
 *   the client.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export type TrustProxy = false | number | string;

const KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (KEYWORDS.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

export const envTrustProxy = z
  .string()
  .trim()
  .transform((v, ctx): TrustProxy => {
    const lower = v.toLowerCase();
    if (['false', 'no', '0'].includes(lower)) return false;
    if (['true', 'yes'].includes(lower)) return 1;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops <= 100) return hops;
    }
    const entries = v.split(',').map((s) => s.trim());
    if (entries.every((e) => e !== '' && isAddressOrRange(e))) return entries.join(',');
    ctx.addIssue({
      code: 'custom',
      message:
        'must be false, true (one proxy), a number of proxies (hops), or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.1,10.1.0.0/16, loopback)',
    });
    return z.NEVER;
  });

/** The setting as fastify takes it: hop counts as a function of the hop (proxy-addr's semantics). */
export function fastifyTrustProxy(
  tp: TrustProxy,
): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof tp === 'number' ? (_address: string, hop: number) => hop < tp : tp;
}
