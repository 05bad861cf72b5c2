/**
 * `npm run bench:scale`: counterfactual queries on a custom graph (schwartz-10 uploaded as `my-schwartz`)
 * through three replicas vs one, in the same run. PostgreSQL (custom graphs, DATABASE_URL) and Redis (per-key rate-limit counters, REDIS_URL)
 * from Debian's packages are started here; the replicas are the compiled service (dist-bench, plain
 * `node`, as deployed), each in its own process, and every request carries an API key whose limit is
 * counted in Redis and names the custom graph, so each request reads the graph database's stamp.
 *
 * Measured, round after round with the order alternating: one replica loaded by C connections, and the
 * three replicas loaded together by C/3 connections each (three load generators at once, as behind a
 * round-robin balancer); the ratio is the median over rounds of the within-round ratio. As a
 * diagnostic, the same query on one replica of the embedded default (SQLite, in-memory limits): what
 * the shared backends cost per request. On a machine with fewer cores than replicas the replicas
 * share the cores, so the ratio says how much of the machine one replica leaves unused.
 *
 * Environment: BENCH_HTTP_SECONDS (3), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (4), BENCH_CONNECTIONS (12).
 * Writes test/bench/results/scale.json and prints a table row.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startPostgres, startRedis } from '../fixtures/backends.js';
import { BENCH_DIR, buildServers, load, startServer, type BenchServer, type LoadResult } from './lib.js';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const SECONDS = num('BENCH_HTTP_SECONDS', 3);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const ROUNDS = Math.round(num('BENCH_ROUNDS', 4));
const CONNECTIONS = Math.max(3, Math.round(num('BENCH_CONNECTIONS', 12) / 3) * 3);

const KEY = 'bench-key-0123456789abcdef';
const API_KEYS = JSON.stringify([
  { name: 'bench', key: KEY, scopes: ['read', 'admin'], rateLimit: 1_000_000_000 },
]);
/** The custom graph: the bundled schwartz-10 uploaded under its own id (a realistic size). */
const GRAPH_ID = 'my-schwartz';
/** The main bench's typical query (partial evidence, a structured target, a summary explanation). */
const QUERY = {
  graph: GRAPH_ID,
  evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
  interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
  explain: 'summary',
};
const REQUEST = {
  method: 'POST' as const,
  path: '/v1/counterfactuals',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
  body: JSON.stringify(QUERY),
};

const dir = mkdtempSync(join(os.tmpdir(), 'pluralign-scale-bench-'));

function env(
  name: string,
  shared: { DATABASE_URL: string; REDIS_URL: string } | null,
): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: join(dir, `data-${name}`),
    DOCS_ENABLED: 'false',
    GENERATOR: 'template',
    OPENAI_BASE_URL: '',
    OPENAI_API_KEY: '',
    API_KEYS,
    API_KEYS_FILE: '',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_KEY: '0',
    DATABASE_URL: shared?.DATABASE_URL ?? '',
    REDIS_URL: shared?.REDIS_URL ?? '',
  };
}

async function upload(server: BenchServer): Promise<void> {
  const auth = { authorization: `Bearer ${KEY}` };
  const bundled = (await (await fetch(`${server.url}/v1/graphs/schwartz-10`, { headers: auth })).json()) as {
    definition: Record<string, unknown>;
  };
  const res = await fetch(`${server.url}/v1/graphs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ ...bundled.definition, id: GRAPH_ID }),
  });
  if (res.status !== 201) throw new Error(`upload to ${server.name}: ${res.status} ${await res.text()}`);
}

/** Load these servers at once, CONNECTIONS split between them; the summed req/s and the worst p99. */
async function together(servers: BenchServer[], seconds: number): Promise<LoadResult> {
  const per = CONNECTIONS / servers.length;
  const runs = await Promise.all(
    servers.map((s) => load({ url: s.url, requests: [REQUEST], connections: per, duration: seconds })),
  );
  return {
    rps: runs.reduce((a, r) => a + r.rps, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    seconds,
    latency: {
      p50: Math.max(...runs.map((r) => r.latency.p50)),
      p90: Math.max(...runs.map((r) => r.latency.p90)),
      p99: Math.max(...runs.map((r) => r.latency.p99)),
      mean:
        runs.reduce((a, r) => a + r.latency.mean * r.requests, 0) / runs.reduce((a, r) => a + r.requests, 0),
      max: Math.max(...runs.map((r) => r.latency.max)),
    },
    errors: 0,
    non2xx: 0,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write('compiling the benchmark servers (tsconfig.bench.json → dist-bench)\n');
  buildServers();
  const [pg, redis] = await Promise.all([startPostgres(dir), startRedis(dir)]);
  const shared = { DATABASE_URL: pg.url, REDIS_URL: redis.url };
  const servers: BenchServer[] = [];
  try {
    const replicas = await Promise.all(
      ['a', 'b', 'c'].map((n) => startServer(`replica-${n}`, 'pluralign', env(n, shared))),
    );
    const embedded = await startServer('embedded', 'pluralign', env('embedded', null));
    servers.push(...replicas, embedded);
    await upload(replicas[0]!); // once: B and C read it from PostgreSQL
    await upload(embedded);

    const configs: Array<{ name: string; run: (s: number) => Promise<LoadResult> }> = [
      { name: 'one replica', run: (s) => together([replicas[0]!], s) },
      { name: 'three replicas', run: (s) => together(replicas, s) },
      { name: 'one embedded server', run: (s) => together([embedded], s) },
    ];
    for (const c of configs) await c.run(WARMUP);
    const runs = new Map(configs.map((c) => [c.name, [] as LoadResult[]]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < configs.length; k++) {
        const c = configs[(k + r) % configs.length]!;
        const result = await c.run(SECONDS);
        runs.get(c.name)!.push(result);
        process.stderr.write(`  ${c.name}: ${Math.round(result.rps)} req/s, p99 ${result.latency.p99} ms\n`);
      }
    }
    const one = runs.get('one replica')!;
    const three = runs.get('three replicas')!;
    const emb = runs.get('one embedded server')!;
    const ratio = median(three.map((t, i) => t.rps / one[i]!.rps));
    const sharedCost = median(one.map((o, i) => o.rps / emb[i]!.rps));
    const best = (xs: LoadResult[]) => xs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      loadAverage: os.loadavg(),
      settings: { seconds: SECONDS, warmup: WARMUP, rounds: ROUNDS, connections: CONNECTIONS },
      query: QUERY,
      ratio,
      perRound: three.map((t, i) => t.rps / one[i]!.rps),
      sharedVsEmbedded: sharedCost,
      best: { one: best(one), three: best(three), embedded: best(emb) },
      seconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
    const out = join(BENCH_DIR, 'results', 'scale.json');
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(
      `\n| part | measure | subject | baseline | ratio |\n|---|---|---:|---:|---:|\n` +
        `| scale | req/s: POST /v1/counterfactuals on a custom graph (schwartz-10 as my-schwartz; PostgreSQL, limits in Redis), three replicas vs one, ${CONNECTIONS} connections | ${f0(report.best.three.rps)} | ${f0(report.best.one.rps)} | ${ratio.toFixed(2)}× (rounds ${report.perRound.map((x) => x.toFixed(2)).join(', ')}) |\n` +
        `| scale | diagnostic: one replica on PostgreSQL + Redis vs one embedded server (SQLite, in-memory limits) | ${f0(report.best.one.rps)} | ${f0(report.best.embedded.rps)} | ${sharedCost.toFixed(2)}× |\n` +
        `\n${os.cpus().length} cores; written to ${out} in ${report.seconds} s`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await pg.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
