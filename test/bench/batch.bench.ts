/**
 * Batch throughput on Redis + BullMQ: lines per second with 1, 2 and 4 `pluralign worker` processes
 * against the fake OpenAI-compatible upstream (each answer delayed by UPSTREAM_DELAY_MS, like a real
 * backend's latency). Starts its own redis-server on a free port. Not part of `npm test`:
 *
 *   npx tsx test/bench/batch.bench.ts [lines=400] [concurrency per worker=4] [delay ms=50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '../fixtures/fake-openai.js';
import { alignLines, pollStatus, startServer, submit, waitForExit } from '../batch/helpers.js';
import { ROOT } from '../http/helpers.js';

const LINES = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const DELAY_MS = Number(process.argv[4] ?? 50);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const dir = mkdtempSync(join(tmpdir(), 'pluralign-batch-bench-'));
const port = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 500));
const redisUrl = `redis://127.0.0.1:${port}`;
const fake = await startFakeOpenAI({ defaultScenario: { type: 'ok', headersDelayMs: DELAY_MS } });
const env = {
  DATA_DIR: join(dir, 'data'),
  REDIS_URL: redisUrl,
  GENERATOR: 'openai',
  OPENAI_BASE_URL: fake.url,
  OPENAI_MODEL: 'bench',
  LOG_LEVEL: 'warn',
  BATCH_CONCURRENCY: String(CONCURRENCY),
};
const server = await startServer({ ...env, LOG_LEVEL: 'info' });

function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'worker', '--name', name],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  return new Promise((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('batch worker ready')) resolve(child);
    });
  });
}

console.log(
  `batch bench: ${LINES} align lines, fake upstream with ${DELAY_MS} ms latency, ${CONCURRENCY} lines at once per worker`,
);
const rows: Array<{ workers: number; seconds: number; linesPerSecond: number }> = [];
try {
  for (const n of [1, 2, 4]) {
    const workers = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(`bench-${n}-${i}`)));
    const t0 = performance.now();
    const created = await submit(server.url, alignLines(LINES, `w${n}`));
    const final = await pollStatus(server.url, created.json.id, (s) => s.status === 'completed', 600_000);
    const seconds = (performance.now() - t0) / 1000;
    if (final.request_counts.completed !== LINES) throw new Error(`lines failed: ${JSON.stringify(final)}`);
    rows.push({
      workers: n,
      seconds: Number(seconds.toFixed(2)),
      linesPerSecond: Math.round(LINES / seconds),
    });
    console.log(
      `${n} worker(s): ${LINES} lines in ${seconds.toFixed(2)} s → ${(LINES / seconds).toFixed(1)} lines/s`,
    );
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => waitForExit(w)));
  }
  console.table(rows);
} finally {
  server.child.kill('SIGTERM');
  await waitForExit(server.child);
  await fake.close();
  redis.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
