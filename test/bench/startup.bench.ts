/**
 * `npm run bench:startup`: how long a second `npm start` takes to serve. Time from spawning
 * `node scripts/start.mjs` (what `npm start` runs, the build already fresh) to the first 200 from
 * GET /healthz, against a bare fastify server started with `node -e` (fastify imported, one route,
 * listen) measured the same way in the same run. Rounds alternate the two, and the ratio is the median
 * of the per-round ratios: both starts of a round share the machine's load of the moment. Target: the
 * service serves within 2 s; on a loaded machine the ratio tells more than the seconds.
 *
 * Environment: BENCH_STARTUP_ROUNDS (default 7); BENCH_STRICT=1 exits 1 when the target is missed.
 * Writes test/bench/results/startup.json and prints a table.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
export const STARTUP_TARGET_MS = 2000;

const BARE = `import(${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules', 'fastify', 'fastify.js')).href)}).then(async ({ default: Fastify }) => {
  const app = Fastify();
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
});`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Milliseconds from spawning `args` to the first 200 from /healthz; the process is then stopped. */
async function timeToHealthy(args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${args.join(' ')} exited before serving`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (exited ? r(undefined) : child.once('exit', r)));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface StartupResult {
  rounds: number;
  pluralignMs: number[];
  bareMs: number[];
  medianPluralignMs: number;
  medianBareMs: number;
  /** Median over rounds of pluralign's time / bare fastify's time in the same round. */
  ratio: number;
  targetMs: number;
  met: boolean;
}

export async function runStartupBench(): Promise<StartupResult> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'pluralign-startup-'));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_IP: '0' };
  try {
    // `npm start` once first, not counted: it compiles when a source is newer than dist/.
    await timeToHealthy(['scripts/start.mjs'], env);
    const pluralignMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which starts first within a round.
      const order = i % 2 === 0 ? ['pluralign', 'bare'] : ['bare', 'pluralign'];
      for (const which of order) {
        if (which === 'pluralign') pluralignMs.push(await timeToHealthy(['scripts/start.mjs'], env));
        else bareMs.push(await timeToHealthy(['--input-type=module', '-e', BARE], {}));
      }
    }
    const ratio = median(pluralignMs.map((p, i) => p / bareMs[i]!));
    const medianPluralignMs = median(pluralignMs);
    return {
      rounds: ROUNDS,
      pluralignMs: pluralignMs.map(Math.round),
      bareMs: bareMs.map(Math.round),
      medianPluralignMs: Math.round(medianPluralignMs),
      medianBareMs: Math.round(median(bareMs)),
      ratio: Math.round(ratio * 100) / 100,
      targetMs: STARTUP_TARGET_MS,
      met: medianPluralignMs <= STARTUP_TARGET_MS,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function startupTable(r: StartupResult): string {
  return [
    `startup: time to the first 200 from GET /healthz (median of ${r.rounds} rounds, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)})`,
    `  npm start (node scripts/start.mjs)   ${String(r.medianPluralignMs).padStart(6)} ms   ${r.met ? 'within' : 'OVER'} the ${r.targetMs} ms target`,
    `  bare fastify (node -e)               ${String(r.medianBareMs).padStart(6)} ms`,
    `  ratio (per-round median)             ${r.ratio.toFixed(2).padStart(6)} ×`,
  ].join('\n');
}

async function main(): Promise<void> {
  const r = await runStartupBench();
  console.log(startupTable(r));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'startup.json'), `${JSON.stringify(r, null, 2)}\n`);
  if (process.env.BENCH_STRICT === '1' && !r.met) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
