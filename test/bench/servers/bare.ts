/**
 * The HTTP baselines: bare fastify (no logger, no plugins, fastify's default JSON body parser and
 * serializer), three JSON routes:
 * - `POST /v1/bare` parses the body and answers a small JSON object;
 * - `GET /healthz` answers what pluralign's liveness probe answers (no computation on either side);
 * - `POST /v1/bare-echo` parses the body and answers a fixed object (BENCH_ECHO_FILE, e.g. a real
 *   counterfactual response), serialized per request: the same bytes as pluralign, no computation.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { serveIpc } from './ipc.js';

const echo: unknown = process.env.BENCH_ECHO_FILE
  ? JSON.parse(readFileSync(process.env.BENCH_ECHO_FILE, 'utf8'))
  : {};
const app = Fastify({ logger: false, bodyLimit: 1048576 });
app.post('/v1/bare', async (request) => {
  const body = request.body as Record<string, unknown>;
  return { ok: true, keys: Object.keys(body).length };
});
app.post('/v1/bare-echo', async () => echo);
app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: process.uptime() }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveIpc(typeof address === 'object' && address ? address.port : 0, () => app.close());
