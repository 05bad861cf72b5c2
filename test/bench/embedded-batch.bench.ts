/**
 * The embedded batch queue at full size (`npm run bench:embedded`; not part of `npm test`): a real
 * server (src/server.ts under tsx) works N lines (default 50,000: attributions and template
 * alignments, alternating) while /healthz is timed; lines/s over the first and the last 5,000 lines
 * (no decay with finished lines), with the same server's idle /healthz timed first as the baseline;
 * then the output is downloaded while the server's RSS is sampled
 * (/proc/<pid>/status), to show that it streams. Writes test/bench/results/embedded-batch.json.
 *
 *   npx tsx test/bench/embedded-batch.bench.ts [lines=50000]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  healthzLatencies,
  killAll,
  mixedLines,
  percentile,
  removeDataDirs,
  startServer,
  submit,
  tempDataDir,
  type BatchStatus,
} from '../batch/helpers.js';
import { ROOT } from '../http/helpers.js';

const LINES = Number(process.argv[2] ?? 50_000);
const WINDOW = Math.min(5000, Math.floor(LINES / 2));
const IDLE_MS = 15_000;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const server = await startServer({ DATA_DIR: tempDataDir('pluralign-bench-batch-'), LOG_LEVEL: 'info' });
const pid = server.child.pid!;
try {
  // Baseline: the same server idle, timed the same way for IDLE_MS, so that the batch's own share of
  // /healthz latency is told apart from the machine's load.
  const idleUntil = performance.now() + IDLE_MS;
  const idle = await healthzLatencies(server.url, () => performance.now() > idleUntil, 50);
  const created = await submit(server.url, mixedLines(LINES));
  if (created.status !== 200) throw new Error(`submit: ${created.status} ${created.text}`);
  const id = created.json.id;
  const samples: Array<{ t: number; done: number }> = [];
  let finished = false;
  const poll = (async () => {
    for (;;) {
      const r = await fetch(`${server.url}/v1/batches/${id}`);
      const s = (await r.json()) as BatchStatus;
      const done = s.request_counts.completed + s.request_counts.failed;
      samples.push({ t: performance.now(), done });
      if (s.status === 'completed') break;
      await new Promise((res) => setTimeout(res, 250));
    }
    finished = true;
  })();
  const latencies = await healthzLatencies(server.url, () => finished, 50);
  await poll;
  /** Seconds from the first sample with >= a lines done to the first with >= b. */
  const at = (n: number) => samples.find((s) => s.done >= n)!.t;
  const rate = (a: number, b: number) => (b - a) / ((at(b) - at(a)) / 1000);
  const first = rate(1, WINDOW);
  const last = rate(LINES - WINDOW, LINES);

  const rssBefore = rssMb(pid);
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const t0 = performance.now();
  const res = await fetch(`${server.url}/v1/batches/${id}/output`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body!) {
    bytes += chunk.byteLength;
    for (const b of chunk as Uint8Array) if (b === 10) lines++;
  }
  clearInterval(sampler);
  const download = (performance.now() - t0) / 1000;

  const result = {
    lines: LINES,
    firstLinesPerSecond: Math.round(first),
    lastLinesPerSecond: Math.round(last),
    window: WINDOW,
    healthz: {
      n: latencies.length,
      p50: +percentile(latencies, 50).toFixed(1),
      p99: +percentile(latencies, 99).toFixed(1),
      max: +Math.max(...latencies).toFixed(1),
    },
    healthzIdle: {
      n: idle.length,
      p50: +percentile(idle, 50).toFixed(1),
      p99: +percentile(idle, 99).toFixed(1),
      max: +Math.max(...idle).toFixed(1),
    },
    loadAverage: loadavg().map((x) => +x.toFixed(1)),
    output: {
      status: res.status,
      lines,
      megabytes: +(bytes / 1e6).toFixed(1),
      seconds: +download.toFixed(1),
      rssBeforeMb: Math.round(rssBefore),
      rssPeakMb: Math.round(peak),
      rssGrowthMb: Math.round(peak - rssBefore),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(ROOT, 'test', 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'test', 'bench', 'results', 'embedded-batch.json'),
    JSON.stringify(result, null, 2) + '\n',
  );
} finally {
  killAll();
  removeDataDirs();
}
