/**
 * The bench runner's tools: benchmark servers as forked child processes (their own process, so the
 * load generator in the runner never shares a thread with them), autocannon runs, memory samples.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request, type Result } from 'autocannon';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..', '..');
/** Where `buildServers` compiles the benchmark servers and the code they run (tsconfig.bench.json). */
const SERVERS_OUT = join(ROOT, 'dist-bench', 'test', 'bench', 'servers');

/**
 * Compile the benchmark servers, pluralign's sources with them, with tsc (as `npm run build` does for
 * production): every server then runs as plain JavaScript under `node`, like the deployed service,
 * rather than through tsx's loader, which made the pluralign server measurably slower than its build.
 */
export function buildServers(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`compiling the benchmark servers failed (tsc exit ${r.status})`);
}

/**
 * The engine bench (scm.bench.ts) as deployed: its tsc build in dist-bench (buildServers first) run by
 * plain node in its own process; returns the rows it wrote to test/bench/results/scm.json.
 */
export function runCompiledScmBench<Row>(): Row[] {
  const script = join(ROOT, 'dist-bench', 'test', 'bench', 'scm.bench.js');
  const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`the engine bench failed (exit ${r.status})`);
  return (JSON.parse(readFileSync(join(BENCH_DIR, 'results', 'scm.json'), 'utf8')) as { rows: Row[] }).rows;
}

export interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** The sample was taken after a full GC (the server runs with --expose-gc). */
  gc: boolean;
}

export interface BenchServer {
  name: string;
  pid: number;
  port: number;
  url: string;
  memory(): Promise<MemorySample>;
  /** CPU time (user + system) the process has used so far, in microseconds. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Fork `servers/<script>.ts`, compiled by `buildServers`, with `env`; resolves when it reports its port. With
 * BENCH_CPU_PROF=<dir> every server writes a V8 CPU profile there when it stops (node --cpu-prof),
 * with BENCH_HEAP_PROF=<dir> a sampling heap profile (node --heap-prof).
 */
export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { exposeGc?: boolean } = {},
): Promise<BenchServer> {
  const execArgv: string[] = [];
  if (options.exposeGc) execArgv.push('--expose-gc');
  const prof = process.env.BENCH_CPU_PROF;
  if (prof) {
    mkdirSync(prof, { recursive: true });
    // Default file names (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile); the pid is printed below.
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
  }
  const heap = process.env.BENCH_HEAP_PROF;
  if (heap) {
    mkdirSync(heap, { recursive: true });
    execArgv.push('--heap-prof', `--heap-prof-dir=${heap}`, '--heap-prof-interval=65536');
  }
  const child: ChildProcess = fork(join(SERVERS_OUT, `${script}.js`), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no ready message within 30 s`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.port!);
      }
    });
  });
  if (prof) process.stderr.write(`  ${name}: pid ${child.pid} (CPU profile in ${prof})\n`);
  let seq = 0;
  return {
    name,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    memory: () =>
      new Promise<MemorySample>((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => reject(new Error(`${name}: no memory sample`)), 30_000);
        const on = (m: MemorySample & { type?: string; id?: number }) => {
          if (m.type !== 'memory' || m.id !== id) return;
          clearTimeout(timer);
          child.off('message', on);
          resolve({
            rss: m.rss,
            heapTotal: m.heapTotal,
            heapUsed: m.heapUsed,
            external: m.external,
            arrayBuffers: m.arrayBuffers,
            gc: m.gc,
          });
        };
        child.on('message', on);
        child.send({ type: 'memory', id });
      }),
    cpu: () =>
      new Promise<number>((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => reject(new Error(`${name}: no CPU sample`)), 30_000);
        const on = (m: { type?: string; id?: number; micros?: number }) => {
          if (m.type !== 'cpu' || m.id !== id) return;
          clearTimeout(timer);
          child.off('message', on);
          resolve(m.micros!);
        };
        child.on('message', on);
        child.send({ type: 'cpu', id });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
}

export interface LoadResult {
  /** Completed requests per second over the run. */
  rps: number;
  requests: number;
  seconds: number;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number };
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  requests: Request[];
  connections: number;
  duration?: number;
  amount?: number;
}

/** One autocannon run; any error or non-2xx answer fails it (a 429 or 503 would fake throughput). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const r: Result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    requests: options.requests,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 5 }),
  });
  const requests = r.requests.total;
  const out: LoadResult = {
    rps: requests / r.duration,
    requests,
    seconds: r.duration,
    latency: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      mean: r.latency.mean,
      max: r.latency.max,
    },
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  if (out.errors || out.non2xx)
    throw new Error(
      `load on ${options.url}: ${out.errors} errors/timeouts and ${out.non2xx} non-2xx answers out of ${requests}; the measurement is not valid`,
    );
  return out;
}

export const post = (path: string, body: unknown): Request => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

export interface LatencyResult {
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/**
 * Latency without queueing: one request at a time over one kept-alive connection (fetch), timed
 * here with sub-millisecond resolution (autocannon reports whole milliseconds).
 */
export async function sequentialLatency(url: string, body: unknown, seconds: number): Promise<LatencyResult> {
  const payload = JSON.stringify(body);
  const once = async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  };
  for (let i = 0; i < 50; i++) await once();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    requests: times.length,
    p50: round(q(0.5)),
    p90: round(q(0.9)),
    p99: round(q(0.99)),
    mean: round(times.reduce((s, x) => s + x, 0) / times.length),
  };
}

/**
 * CPU time per request (µs) of each watched process (the server under test, and e.g. its upstream)
 * and of the load generator (this process) over a fixed number of requests: unlike throughput, this
 * barely moves when other processes share the cores.
 */
export async function cpuPerRequest(
  target: { url: string; requests: Request[] },
  watched: BenchServer[],
  amount: number,
  connections: number,
): Promise<Record<string, number>> {
  const before = await Promise.all(watched.map((s) => s.cpu()));
  const self0 = process.cpuUsage();
  const r = await load({ url: target.url, requests: target.requests, connections, amount });
  const self = process.cpuUsage(self0);
  const after = await Promise.all(watched.map((s) => s.cpu()));
  return {
    ...Object.fromEntries(watched.map((s, i) => [s.name, Math.round((after[i]! - before[i]!) / r.requests)])),
    'load generator': Math.round((self.user + self.system) / r.requests),
  };
}
