/**
 * `npm run bench`: what does pluralign cost? Every figure is a ratio against a baseline measured in
 * the same run, on the same machine, under the same load generator:
 *
 * 1. scm — the SCM engine's queries/s by graph size and evidence type vs the mathjs dense closed form
 *    (test/bench/scm.bench.ts);
 * 2. http — issue 20's targets, each against bare fastify serving the same bytes: `POST
 *    /v1/counterfactuals` (schwartz-10, partial evidence, structured action, summary explanation) vs
 *    bare fastify answering the same response object (serialized per request); the values-only
 *    request (`nodes` = the ten values, `explain: "none"`) vs bare fastify answering ITS response;
 *    `GET /healthz` (the HTTP stack alone: production headers, request id, metrics, no computation)
 *    vs bare fastify's probe sending the same headers (written statically) and body. Throughput
 *    ratios, p99 latency and CPU µs per request of each pair; as diagnostics, the ratios against
 *    bare fastify's 20-byte route and its plain /healthz, and the query with `explain: "none"`;
 * 3. align — `POST /v1/align` (openai generator) vs a minimal pass-through route calling the same fake
 *    upstream with the same `openai` SDK: throughput ratio (issue 20's target: ≥ 0.85×, the median
 *    over rounds); added p50 latency, one request at a time; as diagnostics, CPU per request vs the
 *    pass-through sending align's prompt and answering align's response bytes, and align's CPU per
 *    request when every question is new (no question cache hit);
 * 4. memory — the pluralign server's RSS (after forced GCs) after warm-up, 50,000 and 100,000
 *    requests (64 counterfactual bodies and 8 template alignments, cycling), and the growth from 50k
 *    to 100k.
 *
 * Every server runs in its own forked process, compiled with tsc first (dist-bench/, as `npm run build`
 * compiles the service) and run by plain `node`, as deployed; autocannon runs here. Rounds run every configuration
 * back to back (the order rotating), and a throughput ratio is the median over rounds of the ratio
 * within a round: the two runs of a round share the machine's load of the moment, which matters when
 * other processes use the cores. CPU time per request of every process (server, upstream, load
 * generator) is measured too: it barely depends on that load, and the throughput ratio it implies on
 * a saturated machine is reported next to the measured one. The pluralign server runs with the production
 * defaults except LOG_LEVEL=warn (no per-request log lines; the bare baselines log nothing either)
 * and the rate limits off (RATE_LIMIT_PER_IP=0, RATE_LIMIT_PER_KEY=0), since one client IP sends
 * everything.
 *
 * Environment (durations in seconds):
 *   BENCH_PARTS            scm,detector,decisions,http,align,memory (default all; decisions: a
 *                          6-action decision vs six learned attributions, test/bench/decisions.bench.ts;
 *                          detector: the learned vs
 *                          the phrase value detector, texts/s on one core, test/bench/detector.bench.ts)
 *   BENCH_SECONDS          scm: seconds per engine measurement (default 1)
 *   BENCH_HTTP_SECONDS     duration of each measured load run (default 3)
 *   BENCH_WARMUP_SECONDS   warm-up load per server before measuring (default 3)
 *   BENCH_ROUNDS           measured rounds per server (default 4)
 *   BENCH_CONNECTIONS      concurrent connections (default 10)
 *   BENCH_LATENCY_SECONDS  align: the one-connection latency runs (default 4)
 *   BENCH_ANSWER_WORDS     align: words in the fake upstream's streamed answer (default 80)
 *   BENCH_MEMORY_REQUESTS  memory: total requests (default 100000; samples at half and at the end)
 *   BENCH_MEMORY_WARMUP    memory: warm-up requests (default 5000)
 *   BENCH_CPU_REQUESTS     http, align: requests of the CPU-time-per-request runs (default 1500)
 *   BENCH_CPU_ROUNDS       rounds of those runs; the smallest figure counts (default 2)
 *   BENCH_CPU_PROF=<dir>   write a V8 CPU profile of every server process there
 *   BENCH_STRICT=1         exit 1 when a target is missed
 * Writes test/bench/results/bench.json and prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  BENCH_DIR,
  buildServers,
  cpuPerRequest,
  load,
  mb,
  post,
  runCompiledScmBench,
  sequentialLatency,
  startServer,
  type BenchServer,
  type LatencyResult,
  type LoadResult,
  type MemorySample,
} from './lib.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { SCM_BASELINE, scmTable, type ScmRow } from './scm.bench.js';
import { decisionTable, decisionTargetMet, runDecisionBench, type DecisionRow } from './decisions.bench.js';
import { detectorTable, detectorTargetMet, runDetectorBench, type DetectorRow } from './detector.bench.js';

const num = (name: string, def: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

const PARTS = new Set(
  (process.env.BENCH_PARTS ?? 'scm,detector,decisions,http,align,memory').split(',').map((s) => s.trim()),
);
const HTTP_SECONDS = num('BENCH_HTTP_SECONDS', 3);
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 3);
const ROUNDS = Math.round(num('BENCH_ROUNDS', 4));
const CONNECTIONS = Math.round(num('BENCH_CONNECTIONS', 10));
const LATENCY_SECONDS = num('BENCH_LATENCY_SECONDS', 4);
const MEMORY_REQUESTS = Math.round(num('BENCH_MEMORY_REQUESTS', 100_000));
const MEMORY_WARMUP = Math.round(num('BENCH_MEMORY_WARMUP', 5_000));
const CPU_REQUESTS = Math.round(num('BENCH_CPU_REQUESTS', 1_500));
const CPU_ROUNDS = Math.round(num('BENCH_CPU_ROUNDS', 2));

/** CPU µs per request by process, and the throughput ratio they imply on a saturated machine. */
interface CpuCost {
  subject: Record<string, number>;
  baseline: Record<string, number>;
  /** Σ baseline CPU / Σ subject CPU (every process of the setup: server, upstream, load generator). */
  impliedRatio: number;
}

function cpuCost(subject: Record<string, number>, baseline: Record<string, number>): CpuCost {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return { subject, baseline, impliedRatio: sum(baseline) / sum(subject) };
}

/** http: issue 20's ratios, each against bare fastify serving the same bytes (medians over rounds). */
const TARGETS = {
  http: { counterfactual: 0.7, valuesOnly: 0.8, healthz: 0.8 },
  align: 0.85,
  memoryGrowth: 0.1,
};

const dataDir = mkdtempSync(join(os.tmpdir(), 'pluralign-bench-'));
/** The pluralign server's environment: production defaults, quiet logs, no rate limits, a scratch DATA_DIR. */
const PLURALIGN_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_IP: '0',
  RATE_LIMIT_PER_KEY: '0',
  DATA_DIR: dataDir,
  DOCS_ENABLED: 'false',
  GENERATOR: '',
  OPENAI_BASE_URL: '',
  OPENAI_API_KEY: '',
  API_KEYS: '',
  API_KEYS_FILE: '',
};

/** A typical query: a profile on some values (partial evidence), one structured target, a summary explanation. */
const COUNTERFACTUAL = {
  graph: 'schwartz-10',
  evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
  interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
  explain: 'summary',
};

const VALUES = SCHWARTZ_10.values.map((v) => v.id);

/**
 * The memory run's mix: 64 different counterfactual bodies (evidence sets, targets, action types,
 * explanation levels) and 8 alignments with the embedded template generator (half of them verified),
 * cycled in order on every connection.
 */
function memoryMix() {
  const aligns = Array.from({ length: 8 }, (_, i) =>
    post('/v1/align', {
      question: `Question ${i}: should I take the job abroad?`,
      target: {
        format: 'likert5',
        values: { [VALUES[i]!]: 5, [VALUES[(i + 5) % 10]!]: 1, [VALUES[(i + 1) % 10]!]: 4 },
      },
      generator: 'template',
      verify: i % 2 === 0,
    }),
  );
  const cfs = variedCounterfactuals();
  return cfs.flatMap((r, i) => (i % 8 === 7 ? [r, aligns[(i - 7) / 8]!] : [r]));
}

/** 64 different counterfactual bodies (evidence sets, targets, action types), for the memory run. */
function variedCounterfactuals() {
  return Array.from({ length: 64 }, (_, i) => {
    const k = 2 + (i % 6);
    const evidence = Object.fromEntries(
      Array.from({ length: k }, (_, j) => [
        VALUES[(i + j * 3) % 10]!,
        Math.round((((i * 7 + j * 13) % 31) / 10 - 1.5) * 100) / 100,
      ]),
    );
    return post('/v1/counterfactuals', {
      graph: 'schwartz-10',
      evidence,
      interventions: [
        {
          node: VALUES[(i * 3 + 1) % 10]!,
          type: (['structured', 'do', 'shift'] as const)[i % 3],
          value: ((i % 5) - 2) / 2,
        },
      ],
      explain: i % 4 === 0 ? 'full' : 'summary',
    });
  });
}

/** The same query for the ten value nodes only (no concepts, no latents), without explanation. */
const VALUES_ONLY = { ...COUNTERFACTUAL, nodes: VALUES, explain: 'none' };

const ALIGN_QUESTION = 'Should I lend money to my brother who keeps losing his jobs?';
const ALIGN = {
  question: ALIGN_QUESTION,
  target: { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } },
};
/**
 * The same request with a question never asked before: every request (on any connection) gets the
 * next of an endless list of different questions, so every one misses the question caches and is read
 * by the value detector and conditioned afresh.
 */
const ALIGN_NEW_QUESTIONS = (() => {
  const acts = [
    'lend money to',
    'move in with',
    'lie to protect',
    'report',
    'forgive',
    'quit my job to help',
  ];
  const who = ['my brother', 'a colleague', 'my best friend', 'a neighbour', 'my landlord', 'my old teacher'];
  const why = [
    'keeps losing his jobs',
    'cheated on a test',
    'asked me twice',
    'is in debt',
    'never calls back',
  ];
  let n = 0;
  const question = (i: number) =>
    `Should I ${acts[i % 6]} ${who[Math.floor(i / 6) % 6]} who ${why[Math.floor(i / 36) % 5]}, for the ${i + 1}th time?`;
  const first = post('/v1/align', ALIGN);
  return [
    {
      ...first,
      setupRequest: (req: typeof first) => ({
        ...req,
        body: JSON.stringify({ ...ALIGN, question: question(n++) }),
      }),
    },
  ];
})();

interface Config {
  name: string;
  server: BenchServer;
  requests: ReturnType<typeof post>[];
}

interface Measured {
  name: string;
  rounds: LoadResult[];
  best: LoadResult;
}

/**
 * CPU-per-request runs, alternating, CPU_ROUNDS times; the smallest figure of each process counts (the
 * least disturbed by other processes: contention only ever adds CPU time, through cache misses).
 */
async function cpuRounds(
  runs: Array<() => Promise<Record<string, number>>>,
): Promise<Array<Record<string, number>>> {
  const out: Array<Record<string, number>> = runs.map(() => ({}));
  for (let r = 0; r < CPU_ROUNDS; r++)
    for (let k = 0; k < runs.length; k++) {
      const i = (k + r) % runs.length;
      for (const [name, v] of Object.entries(await runs[i]!()))
        out[i]![name] = Math.min(out[i]![name] ?? Infinity, v);
    }
  return out;
}

/** Key the server's figure as `server` so that subject and baseline line up. */
const rename = (r: Record<string, number>, from: string, to: string) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k === from ? to : k, v]));

/**
 * The throughput ratio: the median over rounds of subject/baseline within the same round (the two
 * runs of a round are back to back, so they share the machine's load of the moment); the best rounds'
 * ratio is kept too.
 */
function pairedRatio(
  subject: Measured,
  baseline: Measured,
): { ratio: number; perRound: number[]; bestOfRatio: number } {
  const perRound = subject.rounds.map((r, i) => r.rps / baseline.rounds[i]!.rps);
  const sorted = [...perRound].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const ratio = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { ratio, perRound, bestOfRatio: subject.best.rps / baseline.best.rps };
}

const best = (runs: LoadResult[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));

/**
 * Warm every configuration, then measure them round-robin (the order rotates every round), so slow
 * phases of other processes on the machine spread over all of them.
 */
async function measureAll(configs: Config[]): Promise<Map<string, Measured>> {
  for (const c of configs)
    await load({
      url: c.server.url,
      requests: c.requests,
      connections: CONNECTIONS,
      duration: WARMUP_SECONDS,
    });
  const runs = new Map(configs.map((c) => [c.name, [] as LoadResult[]]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < configs.length; k++) {
      const c = configs[(k + r) % configs.length]!;
      const result = await load({
        url: c.server.url,
        requests: c.requests,
        connections: CONNECTIONS,
        duration: HTTP_SECONDS,
      });
      runs.get(c.name)!.push(result);
      process.stderr.write(
        `  ${c.name}: ${Math.round(result.rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`,
      );
    }
  }
  return new Map([...runs].map(([name, rounds]) => [name, { name, rounds, best: best(rounds) }]));
}

/** Bytes of a GET response, status line and headers included (what the load generator reads). */
async function responseBytes(url: string): Promise<number> {
  const res = await fetch(url);
  const body = Buffer.byteLength(await res.text());
  let head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`.length + 2;
  res.headers.forEach((v, k) => (head += k.length + 2 + v.length + 2));
  return head + body;
}

async function check(
  url: string,
  body: unknown,
  expect: (json: Record<string, unknown>) => boolean,
  what: string,
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const json = JSON.parse(text) as Record<string, unknown>;
  if (res.status !== 200 || !expect(json))
    throw new Error(`${what}: unexpected answer ${res.status} ${text.slice(0, 300)}`);
  return { json, bytes: Buffer.byteLength(text) };
}

/** One of issue 20's comparisons: pluralign vs bare fastify serving the same bytes. */
interface HttpPair {
  subject: Measured;
  baseline: Measured;
  /** Median over rounds of the within-round throughput ratio. */
  ratio: number;
  perRound: number[];
  bestOfRatio: number;
  target: number;
  met: boolean;
  /** Response bytes: body only for the counterfactuals, status line and headers too for /healthz. */
  bytes: { subject: number; baseline: number };
  /** CPU µs per request of the server and the load generator, and the ratio it implies. */
  cpu: CpuCost;
}

interface HttpPart {
  /** The default request vs bare fastify answering the same response object. */
  counterfactual: HttpPair;
  /** `nodes` = the ten values, `explain: "none"`, vs bare fastify answering that response. */
  valuesOnly: HttpPair;
  /** GET /healthz vs bare fastify's probe with the same headers (written statically) and body. */
  healthz: HttpPair;
  /**
   * Diagnostics: the default request vs bare fastify's 20-byte route (the old headline), the query
   * with `explain: "none"`, and /healthz vs bare fastify's plain /healthz (fewer header bytes).
   */
  diagnostics: {
    smallRoute: { baseline: Measured; ratio: number; bytes: number };
    noExplain: { subject: Measured; ratio: number; bytes: number };
    plainHealthz: { baseline: Measured; ratio: number; bytes: number };
  };
}

/** Headers of pluralign's /healthz that bare fastify's same-bytes probe writes statically. */
async function probeHeaders(url: string): Promise<Record<string, string>> {
  const res = await fetch(url);
  await res.arrayBuffer();
  const skip = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!skip.has(k)) out[k] = v;
  });
  return out;
}

async function httpPart(): Promise<HttpPart> {
  process.stderr.write('http: POST /v1/counterfactuals and GET /healthz vs bare fastify, same bytes\n');
  const pl = await startServer('pluralign', 'pluralign', PLURALIGN_ENV);
  let bare: BenchServer | undefined;
  try {
    const full = await check(
      `${pl.url}/v1/counterfactuals`,
      COUNTERFACTUAL,
      (j) => typeof (j.result as { explanation?: unknown }).explanation === 'object',
      'counterfactuals',
    );
    const none = await check(
      `${pl.url}/v1/counterfactuals`,
      { ...COUNTERFACTUAL, explain: 'none' },
      (j) => typeof j.result === 'object' && !('explanation' in (j.result as object)),
      'counterfactuals (explain none)',
    );
    const values = await check(
      `${pl.url}/v1/counterfactuals`,
      VALUES_ONLY,
      (j) => {
        const r = j.result as { counterfactual: object; explanation?: unknown };
        return Object.keys(r.counterfactual).length === VALUES.length && r.explanation === undefined;
      },
      'counterfactuals (values only, explain none)',
    );
    const files = { full: join(dataDir, 'echo.json'), values: join(dataDir, 'echo-values.json') };
    writeFileSync(files.full, JSON.stringify(full.json));
    writeFileSync(files.values, JSON.stringify(values.json));
    const headersFile = join(dataDir, 'healthz-headers.json');
    writeFileSync(headersFile, JSON.stringify(await probeHeaders(`${pl.url}/healthz`)));
    bare = await startServer('bare', 'bare', {
      BENCH_ECHO_FILE: files.full,
      BENCH_ECHO_VALUES_FILE: files.values,
      BENCH_HEALTHZ_HEADERS_FILE: headersFile,
    });
    const tiny = await check(`${bare.url}/v1/bare`, COUNTERFACTUAL, (j) => j.ok === true, 'bare');
    const sameFull = await check(`${bare.url}/v1/bare-echo`, COUNTERFACTUAL, () => true, 'bare echo');
    const sameValues = await check(`${bare.url}/v1/bare-echo-values`, VALUES_ONLY, () => true, 'bare echo');
    const runs = {
      cf: post('/v1/counterfactuals', COUNTERFACTUAL),
      cfSame: post('/v1/bare-echo', COUNTERFACTUAL),
      values: post('/v1/counterfactuals', VALUES_ONLY),
      valuesSame: post('/v1/bare-echo-values', VALUES_ONLY),
      probe: { method: 'GET' as const, path: '/healthz' },
      probeSame: { method: 'GET' as const, path: '/healthz-same' },
    };
    const m = await measureAll([
      { name: 'bare fastify (small JSON)', server: bare, requests: [post('/v1/bare', COUNTERFACTUAL)] },
      { name: 'bare fastify (same response bytes)', server: bare, requests: [runs.cfSame] },
      { name: 'pluralign counterfactual', server: pl, requests: [runs.cf] },
      {
        name: 'pluralign counterfactual, explain none',
        server: pl,
        requests: [post('/v1/counterfactuals', { ...COUNTERFACTUAL, explain: 'none' })],
      },
      { name: 'pluralign counterfactual, values only', server: pl, requests: [runs.values] },
      { name: 'bare fastify (values-only bytes)', server: bare, requests: [runs.valuesSame] },
      { name: 'pluralign GET /healthz', server: pl, requests: [runs.probe] },
      { name: 'bare fastify GET /healthz, same bytes', server: bare, requests: [runs.probeSame] },
      { name: 'bare fastify GET /healthz', server: bare, requests: [runs.probe] },
    ]);
    const cpuOf = (server: BenchServer, request: (typeof runs)[keyof typeof runs]) => () =>
      cpuPerRequest({ url: server.url, requests: [request] }, [server], CPU_REQUESTS, CONNECTIONS);
    const [cpuCf, cpuCfSame, cpuValues, cpuValuesSame, cpuProbe, cpuProbeSame] = await cpuRounds([
      cpuOf(pl, runs.cf),
      cpuOf(bare, runs.cfSame),
      cpuOf(pl, runs.values),
      cpuOf(bare, runs.valuesSame),
      cpuOf(pl, runs.probe),
      cpuOf(bare, runs.probeSame),
    ]);
    const cpu = (s: Record<string, number>, b: Record<string, number>) =>
      cpuCost(rename(s, pl.name, 'server'), rename(b, bare!.name, 'server'));
    const probeBytes = {
      subject: await responseBytes(`${pl.url}/healthz`),
      baseline: await responseBytes(`${bare.url}/healthz-same`),
    };
    /** [subject run, baseline run, target, bytes, CPU of the subject, CPU of the baseline] */
    type PairSpec = [
      string,
      string,
      number,
      HttpPair['bytes'],
      Record<string, number>,
      Record<string, number>,
    ];
    const pair = ([subject, baseline, target, bytes, cpuS, cpuB]: PairSpec): HttpPair => {
      const s = m.get(subject)!;
      const b = m.get(baseline)!;
      const r = pairedRatio(s, b);
      return { subject: s, baseline: b, ...r, target, met: r.ratio >= target, bytes, cpu: cpu(cpuS, cpuB) };
    };
    const t = TARGETS.http;
    const out: HttpPart = {
      counterfactual: pair([
        'pluralign counterfactual',
        'bare fastify (same response bytes)',
        t.counterfactual,
        { subject: full.bytes, baseline: sameFull.bytes },
        cpuCf!,
        cpuCfSame!,
      ]),
      valuesOnly: pair([
        'pluralign counterfactual, values only',
        'bare fastify (values-only bytes)',
        t.valuesOnly,
        { subject: values.bytes, baseline: sameValues.bytes },
        cpuValues!,
        cpuValuesSame!,
      ]),
      healthz: pair([
        'pluralign GET /healthz',
        'bare fastify GET /healthz, same bytes',
        t.healthz,
        probeBytes,
        cpuProbe!,
        cpuProbeSame!,
      ]),
      diagnostics: {
        smallRoute: {
          baseline: m.get('bare fastify (small JSON)')!,
          ratio: pairedRatio(m.get('pluralign counterfactual')!, m.get('bare fastify (small JSON)')!).ratio,
          bytes: tiny.bytes,
        },
        noExplain: {
          subject: m.get('pluralign counterfactual, explain none')!,
          ratio: pairedRatio(
            m.get('pluralign counterfactual, explain none')!,
            m.get('bare fastify (small JSON)')!,
          ).ratio,
          bytes: none.bytes,
        },
        plainHealthz: {
          baseline: m.get('bare fastify GET /healthz')!,
          ratio: pairedRatio(m.get('pluralign GET /healthz')!, m.get('bare fastify GET /healthz')!).ratio,
          bytes: await responseBytes(`${bare.url}/healthz`),
        },
      },
    };
    for (const [name, p] of Object.entries({
      counterfactual: out.counterfactual,
      valuesOnly: out.valuesOnly,
      healthz: out.healthz,
    }))
      process.stderr.write(
        `  ${name}: ${p.ratio.toFixed(2)}× (rounds ${p.perRound.map((x) => x.toFixed(2)).join(', ')}); CPU µs/request ${JSON.stringify(p.cpu.subject)} vs ${JSON.stringify(p.cpu.baseline)}\n`,
      );
    return out;
  } finally {
    await Promise.all([bare?.stop(), pl.stop()]);
  }
}

interface AlignPart {
  ratio: number;
  perRound: number[];
  bestOfRatio: number;
  subject: Measured;
  baseline: Measured;
  latency: { baseline: LatencyResult; subject: LatencyResult; addedP50: number };
  answerWords: number;
  responseBytes: { align: number; passthrough: number };
  /** CPU per request of the server, the fake upstream and the load generator. */
  cpu: CpuCost;
  /**
   * Diagnostic: CPU per request vs the pass-through moving pluralign's bytes (its conditioning sent
   * upstream, its response answered): what is left is pluralign's own work per request.
   */
  cpuSameBytes: CpuCost & { promptBytes: number };
  /** Diagnostic: CPU per request when every question is new (no question cache hit), vs the pass-through. */
  cpuNewQuestions: CpuCost;
  /** Issue 20's target: the median over rounds of the throughput ratio, at least `ratio`. */
  target: { ratio: number; measure: string; met: boolean };
}

async function alignPart(): Promise<AlignPart> {
  process.stderr.write(
    'align: POST /v1/align (openai generator) vs a pass-through route, same fake upstream\n',
  );
  const upstream = await startServer('upstream', 'upstream', {});
  const upstreamUrl = `${upstream.url}/v1`;
  const common = { OPENAI_BASE_URL: upstreamUrl, OPENAI_MODEL: 'bench-model', OPENAI_API_KEY: '' };
  const pl = await startServer('pluralign', 'pluralign', {
    ...PLURALIGN_ENV,
    ...common,
    GENERATOR: 'openai',
  });
  let pass: BenchServer | undefined;
  try {
    const a = await check(
      `${pl.url}/v1/align`,
      ALIGN,
      (j) => typeof j.answer === 'string' && (j.answer as string).startsWith('Stance'),
      'align',
    );
    // The same-bytes route of the pass-through sends pluralign's conditioning and answers its response.
    const messages = (a.json.explanation as { conditioning: { messages: unknown[] } }).conditioning.messages;
    const messagesFile = join(dataDir, 'align-messages.json');
    const echoFile = join(dataDir, 'align-echo.json');
    writeFileSync(messagesFile, JSON.stringify(messages));
    writeFileSync(echoFile, JSON.stringify(a.json));
    pass = await startServer('passthrough', 'passthrough', {
      ...common,
      BENCH_MESSAGES_FILE: messagesFile,
      BENCH_ECHO_FILE: echoFile,
    });
    await check(
      `${pass.url}/v1/passthrough-same-bytes`,
      {},
      (j) => j.answer === a.json.answer,
      'passthrough-same-bytes',
    );
    const p = await check(
      `${pass.url}/v1/passthrough`,
      { question: ALIGN_QUESTION },
      (j) => typeof j.answer === 'string',
      'passthrough',
    );
    const m = await measureAll([
      {
        name: 'pass-through',
        server: pass,
        requests: [post('/v1/passthrough', { question: ALIGN_QUESTION })],
      },
      { name: 'pluralign align', server: pl, requests: [post('/v1/align', ALIGN)] },
    ]);
    const server = pass;
    const [cpuPass, cpuPl, cpuSame, cpuNew] = await cpuRounds([
      () =>
        cpuPerRequest(
          { url: server.url, requests: [post('/v1/passthrough', { question: ALIGN_QUESTION })] },
          [server, upstream],
          CPU_REQUESTS,
          CONNECTIONS,
        ),
      () =>
        cpuPerRequest(
          { url: pl.url, requests: [post('/v1/align', ALIGN)] },
          [pl, upstream],
          CPU_REQUESTS,
          CONNECTIONS,
        ),
      () =>
        cpuPerRequest(
          { url: server.url, requests: [post('/v1/passthrough-same-bytes', {})] },
          [server, upstream],
          CPU_REQUESTS,
          CONNECTIONS,
        ),
      () =>
        cpuPerRequest(
          { url: pl.url, requests: ALIGN_NEW_QUESTIONS },
          [pl, upstream],
          CPU_REQUESTS,
          CONNECTIONS,
        ),
    ]);
    process.stderr.write(
      `  CPU µs/request: pass-through ${JSON.stringify(cpuPass)}, align ${JSON.stringify(cpuPl)}, pass-through with align's bytes ${JSON.stringify(cpuSame)}, align with a new question every time ${JSON.stringify(cpuNew)}\n`,
    );
    const b = await sequentialLatency(
      `${pass.url}/v1/passthrough`,
      { question: ALIGN_QUESTION },
      LATENCY_SECONDS,
    );
    const s = await sequentialLatency(`${pl.url}/v1/align`, ALIGN, LATENCY_SECONDS);
    process.stderr.write(`  one request at a time: pass-through p50 ${b.p50} ms, align p50 ${s.p50} ms\n`);
    const base = m.get('pass-through')!;
    const subj = m.get('pluralign align')!;
    const paired = pairedRatio(subj, base);
    const subjectCpu = rename(cpuPl, pl.name, 'server');
    return {
      ...paired,
      subject: subj,
      baseline: base,
      latency: { baseline: b, subject: s, addedP50: Math.round((s.p50 - b.p50) * 1000) / 1000 },
      answerWords: num('BENCH_ANSWER_WORDS', 80),
      responseBytes: { align: a.bytes, passthrough: p.bytes },
      cpu: cpuCost(subjectCpu, rename(cpuPass, server.name, 'server')),
      cpuSameBytes: {
        ...cpuCost(subjectCpu, rename(cpuSame, server.name, 'server')),
        promptBytes: Buffer.byteLength(JSON.stringify(messages)),
      },
      cpuNewQuestions: cpuCost(rename(cpuNew, pl.name, 'server'), rename(cpuPass, server.name, 'server')),
      target: {
        ratio: TARGETS.align,
        measure: 'median over rounds of the within-round req/s ratio',
        met: paired.ratio >= TARGETS.align,
      },
    };
  } finally {
    await Promise.all([pl.stop(), pass?.stop()]);
    await upstream.stop();
  }
}

interface MemoryPart {
  route: string;
  bodies: number;
  warmupRequests: number;
  samples: Array<{ after: number; memory: MemorySample }>;
  growth: number;
  rps: number;
}

async function memoryPart(): Promise<MemoryPart> {
  process.stderr.write(
    `memory: RSS of the pluralign server over ${MEMORY_REQUESTS.toLocaleString('en-US')} requests\n`,
  );
  const pl = await startServer('pluralign-memory', 'pluralign', PLURALIGN_ENV, { exposeGc: true });
  try {
    const requests = memoryMix();
    await load({ url: pl.url, requests, connections: CONNECTIONS, amount: MEMORY_WARMUP });
    const samples: MemoryPart['samples'] = [{ after: 0, memory: await pl.memory() }];
    const half = Math.floor(MEMORY_REQUESTS / 2);
    let seconds = 0;
    let done = 0;
    for (const amount of [half, MEMORY_REQUESTS - half]) {
      const r = await load({ url: pl.url, requests, connections: CONNECTIONS, amount });
      done += r.requests;
      seconds += r.seconds;
      const memory = await pl.memory();
      samples.push({ after: done, memory });
      process.stderr.write(
        `  after ${done.toLocaleString('en-US')}: RSS ${mb(memory.rss)} MB, heap ${mb(memory.heapUsed)} MB\n`,
      );
    }
    return {
      route: 'POST /v1/counterfactuals (64 bodies) and POST /v1/align (template generator, 8 bodies), 8:1',
      bodies: requests.length,
      warmupRequests: MEMORY_WARMUP,
      samples,
      growth: (samples[2]!.memory.rss - samples[1]!.memory.rss) / samples[1]!.memory.rss,
      rps: done / seconds,
    };
  } finally {
    await pl.stop();
  }
}

function table(http: HttpPart | null, align: AlignPart | null, memory: MemoryPart | null): string {
  const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
  const ok = (pass: boolean) => (pass ? 'met' : '**missed**');
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const rounds = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const cpuText = (r: Record<string, number>) => Object.values(r).map(f0).join(' + ');
  const rows = [
    '| part | measure | pluralign | baseline | ratio / result | target |',
    '|---|---|---:|---:|---:|---|',
  ];
  if (http) {
    const pairRows = (what: string, p: HttpPair, size: (b: number) => string) => [
      `| http | req/s: ${what} (${size(p.bytes.subject)}) vs bare fastify, same bytes (${size(p.bytes.baseline)}) | ${f0(p.subject.best.rps)} | ${f0(p.baseline.best.rps)} | ${p.ratio.toFixed(2)}× (rounds ${rounds(p.perRound)}) | ≥ ${p.target}× ${ok(p.met)} |`,
      `| http | ${what}: CPU µs per request, server + load generator | ${cpuText(p.cpu.subject)} | ${cpuText(p.cpu.baseline)} | ${p.cpu.impliedRatio.toFixed(2)}× implied | |`,
      `| http | ${what}: p99 latency at ${CONNECTIONS} connections (ms) | ${p.subject.best.latency.p99} | ${p.baseline.best.latency.p99} | | |`,
    ];
    const d = http.diagnostics;
    rows.push(
      ...pairRows('POST /v1/counterfactuals, default request', http.counterfactual, kb),
      ...pairRows('values only (`nodes` = the ten values, explain none)', http.valuesOnly, kb),
      ...pairRows('GET /healthz, headers included', http.healthz, (b) => `${b} B`),
      `| http | diagnostic: default request vs bare fastify's ${d.smallRoute.bytes}-byte route | ${f0(http.counterfactual.subject.best.rps)} | ${f0(d.smallRoute.baseline.best.rps)} | ${d.smallRoute.ratio.toFixed(2)}× | |`,
      `| http | diagnostic: explain none (${kb(d.noExplain.bytes)}) vs bare fastify's ${d.smallRoute.bytes}-byte route | ${f0(d.noExplain.subject.best.rps)} | ${f0(d.smallRoute.baseline.best.rps)} | ${d.noExplain.ratio.toFixed(2)}× | |`,
      `| http | diagnostic: GET /healthz vs bare fastify's plain /healthz (${d.plainHealthz.bytes} B) | ${f0(http.healthz.subject.best.rps)} | ${f0(d.plainHealthz.baseline.best.rps)} | ${d.plainHealthz.ratio.toFixed(2)}× | |`,
    );
  }
  if (align) {
    rows.push(
      `| align | req/s: POST /v1/align vs pass-through (same upstream, same SDK, ${align.answerWords}-word streamed answer) | ${f0(align.subject.best.rps)} | ${f0(align.baseline.best.rps)} | ${align.ratio.toFixed(2)}× (rounds ${rounds(align.perRound)}) | ≥ ${align.target.ratio}× (median of rounds) ${ok(align.target.met)} |`,
      `| align | CPU µs per request: server + upstream + load generator | ${cpuText(align.cpu.subject)} | ${cpuText(align.cpu.baseline)} | ${align.cpu.impliedRatio.toFixed(2)}× implied | |`,
      `| align | diagnostic: CPU µs per request vs the pass-through moving align's bytes (${kb(align.cpuSameBytes.promptBytes)} prompt, ${kb(align.responseBytes.align)} response) | ${cpuText(align.cpuSameBytes.subject)} | ${cpuText(align.cpuSameBytes.baseline)} | ${align.cpuSameBytes.impliedRatio.toFixed(2)}× implied | |`,
      `| align | diagnostic: CPU µs per request, a new question every time (no cache hit) vs pass-through | ${cpuText(align.cpuNewQuestions.subject)} | ${cpuText(align.cpuNewQuestions.baseline)} | ${align.cpuNewQuestions.impliedRatio.toFixed(2)}× implied | |`,
      `| align | p50 latency, one request at a time (ms) | ${align.latency.subject.p50.toFixed(2)} | ${align.latency.baseline.p50.toFixed(2)} | ${align.latency.addedP50 < 0 ? '−' : '+'}${Math.abs(align.latency.addedP50).toFixed(2)} ms added | |`,
      `| align | p99 latency at ${CONNECTIONS} connections (ms) | ${align.subject.best.latency.p99} | ${align.baseline.best.latency.p99} | | |`,
    );
  }
  if (memory) {
    const [w, h, e] = memory.samples.map((s) => s.memory);
    rows.push(
      `| memory | RSS after warm-up / ${f0(memory.samples[1]!.after)} / ${f0(memory.samples[2]!.after)} requests (MB) | ${mb(w!.rss)} / ${mb(h!.rss)} / ${mb(e!.rss)} | | ${(memory.growth * 100).toFixed(1)}% growth, 2nd half | < ${TARGETS.memoryGrowth * 100}% ${ok(memory.growth < TARGETS.memoryGrowth)} |`,
      `| memory | V8 heap used after warm-up / half / end (MB) | ${mb(w!.heapUsed)} / ${mb(h!.heapUsed)} / ${mb(e!.heapUsed)} | | | |`,
    );
  }
  return rows.join('\n');
}

async function main() {
  const started = Date.now();
  const cpus = os.cpus();
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus[0]?.model,
    cores: cpus.length,
    loadAverage: os.loadavg(),
    settings: {
      httpSeconds: HTTP_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      latencySeconds: LATENCY_SECONDS,
      cpuRequests: CPU_REQUESTS,
      cpuRounds: CPU_ROUNDS,
      memoryRequests: MEMORY_REQUESTS,
      memoryWarmup: MEMORY_WARMUP,
      pluralignEnv: { ...PLURALIGN_ENV, DATA_DIR: '(temporary)' },
      selection: 'ratio: median over rounds of the within-round ratio; req/s shown: the best round',
    },
    targets: TARGETS,
  };
  let scm: ScmRow[] | null = null;
  let http: HttpPart | null = null;
  let align: AlignPart | null = null;
  let memory: MemoryPart | null = null;
  let detector: DetectorRow[] | null = null;
  let decisions: DecisionRow[] | null = null;
  try {
    if (PARTS.has('scm')) {
      process.stderr.write(
        'scm: engine queries/s vs the mathjs closed form (compiled by tsc, run by node)\n',
      );
      buildServers();
      scm = runCompiledScmBench<ScmRow>();
      report.scm = { baseline: SCM_BASELINE, rows: scm };
    }
    if (PARTS.has('detector')) {
      process.stderr.write('detector: learned vs phrase value detector, texts/s on one core\n');
      detector = runDetectorBench();
      report.detector = { rows: detector, targetMet: detectorTargetMet(detector) };
    }
    if (PARTS.has('decisions')) {
      process.stderr.write('decisions: a 6-action decision vs six learned attributions, on one core\n');
      decisions = await runDecisionBench();
      report.decisions = { rows: decisions, targetMet: decisionTargetMet(decisions) };
    }
    if (!PARTS.has('scm') && (PARTS.has('http') || PARTS.has('align') || PARTS.has('memory'))) {
      process.stderr.write('compiling the benchmark servers (tsconfig.bench.json → dist-bench)\n');
      buildServers();
    }
    if (PARTS.has('http')) report.http = http = await httpPart();
    if (PARTS.has('align')) report.align = align = await alignPart();
    if (PARTS.has('memory')) report.memory = memory = await memoryPart();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  report.loadAverageAfter = os.loadavg();
  report.seconds = Math.round((Date.now() - started) / 1000);
  const out = join(BENCH_DIR, 'results', 'bench.json');
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  const la = (xs: unknown) => (xs as number[]).map((x) => x.toFixed(1)).join(' ');
  console.log(
    `\npluralign bench (${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}; load average ${la(report.loadAverage)} before, ${la(report.loadAverageAfter)} after)\n`,
  );
  if (scm) console.log(`SCM engine (one core) vs ${SCM_BASELINE}:\n\n${scmTable(scm)}\n`);
  if (detector)
    console.log(`Value detectors (one core), learned vs phrases:\n\n${detectorTable(detector)}\n`);
  if (decisions)
    console.log(`Decisions (one core), vs six learned attributions:\n\n${decisionTable(decisions)}\n`);
  if (http || align || memory) console.log(`${table(http, align, memory)}\n`);
  console.log(`written to ${out} in ${report.seconds} s`);
  const missed =
    (detector && !detectorTargetMet(detector)) ||
    (decisions && !decisionTargetMet(decisions)) ||
    (http && !(http.counterfactual.met && http.valuesOnly.met && http.healthz.met)) ||
    (align && !align.target.met) ||
    (memory && memory.growth >= TARGETS.memoryGrowth);
  if (missed && process.env.BENCH_STRICT === '1') process.exitCode = 1;
}

await main();
