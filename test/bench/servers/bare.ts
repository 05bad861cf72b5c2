/**
 * The HTTP baselines: bare fastify (no logger, no plugins, fastify's default JSON body parser and
 * serializer):
 * - `POST /v1/bare` parses the body and answers a small JSON object;
 * - `GET /healthz` answers what pluralign's liveness probe answers (no computation on either side);
 * - `GET /healthz-same` answers the same, with the response headers pluralign's probe sends
 *   (BENCH_HEALTHZ_HEADERS_FILE: its security headers and a request id, captured once and written
 *   statically by one `reply.headers` call): the same bytes on the wire as pluralign's /healthz;
 * - `POST /v1/bare-echo` and `POST /v1/bare-echo-values` parse the body and answer a fixed object
 *   (BENCH_ECHO_FILE, BENCH_ECHO_VALUES_FILE: real counterfactual responses, the default request's
 *   and the values-only request's), serialized per request: the same bytes as pluralign, no
 *   computation.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { serveIpc } from './ipc.js';

const readJson = (file: string | undefined, fallback: unknown): unknown =>
  file ? JSON.parse(readFileSync(file, 'utf8')) : fallback;
const echo = readJson(process.env.BENCH_ECHO_FILE, {});
const echoValues = readJson(process.env.BENCH_ECHO_VALUES_FILE, {});
const probeHeaders = readJson(process.env.BENCH_HEALTHZ_HEADERS_FILE, {}) as Record<string, string>;
const app = Fastify({ logger: false, bodyLimit: 1048576 });
app.post('/v1/bare', async (request) => {
  const body = request.body as Record<string, unknown>;
  return { ok: true, keys: Object.keys(body).length };
});
app.post('/v1/bare-echo', async () => echo);
app.post('/v1/bare-echo-values', async () => echoValues);
app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: process.uptime() }));
app.get('/healthz-same', async (_request, reply) => {
  reply.headers(probeHeaders);
  return { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 1000) / 1000 };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveIpc(typeof address === 'object' && address ? address.port : 0, () => app.close());
