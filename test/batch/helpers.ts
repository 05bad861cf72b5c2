/**
 * Batch test helpers: a real server process (src/server.ts under tsx, test/fixtures/server-process.ts)
 * on a DATA_DIR, batch inputs, and polling the status over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { killAll, startServer, waitForExit, type Proc } from '../fixtures/server-process.js';

/** `n` align lines (custom ids `req-0`…), questions varied so answers differ. */
export function alignLines(n: number, prefix = 'req'): string[] {
  const values = ['benevolence', 'security', 'achievement', 'universalism', 'self-direction'];
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `${prefix}-${i}`,
      url: '/v1/align',
      body: {
        question: `Question ${i}: should I take the new job abroad?`,
        target: { format: 'likert5', values: { [values[i % values.length]!]: 1 + (i % 5) } },
      },
    }),
  );
}

export interface BatchStatus {
  id: string;
  status: string;
  request_counts: { total: number; completed: number; failed: number };
  completed_at: number | null;
}

export async function api<T>(
  url: string,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: T; text: string }> {
  const res = await fetch(url + path, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* JSONL */
  }
  return { status: res.status, json: json as T, text };
}

export async function submit(url: string, lines: string[], headers: Record<string, string> = {}) {
  return api<BatchStatus>(url, '/v1/batches', {
    method: 'POST',
    body: lines.join('\n') + '\n',
    headers: { 'content-type': 'application/jsonl', ...headers },
  });
}

/** Poll until `until(status)` (every 50 ms), up to `timeoutMs`. */
export async function pollStatus(
  url: string,
  id: string,
  until: (s: BatchStatus) => boolean,
  timeoutMs = 120_000,
  headers: Record<string, string> = {},
): Promise<BatchStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<BatchStatus>(url, `/v1/batches/${id}`, { headers });
    if (r.status !== 200) throw new Error(`status ${r.status}: ${r.text}`);
    if (until(r.json)) return r.json;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(r.json)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

export async function output(url: string, id: string, headers: Record<string, string> = {}) {
  const r = await api<unknown>(url, `/v1/batches/${id}/output`, { headers });
  if (r.status !== 200) throw new Error(`output ${r.status}: ${r.text}`);
  return r.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutputLine);
}

/** `n` lines alternating attributions (phrase detector) and template alignments: CPU-only lines. */
export function mixedLines(n: number, prefix = 'm'): string[] {
  const align = alignLines(n, prefix);
  return align.map((line, i) =>
    i % 2 === 0
      ? line
      : JSON.stringify({
          custom_id: `${prefix}-${i}`,
          url: '/v1/attributions',
          body: { text: `Line ${i}: I care for my family, keep our traditions and want success at work.` },
        }),
  );
}

/** Latencies (ms) of GET /healthz, one at a time every `gapMs`, until `stop()` returns true. */
export async function healthzLatencies(url: string, stop: () => boolean, gapMs = 20): Promise<number[]> {
  const out: number[] = [];
  while (!stop()) {
    const t = performance.now();
    const res = await fetch(url + '/healthz');
    await res.text();
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

/** The p-th percentile (0–100) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

const dataDirs: string[] = [];
/** A fresh temporary DATA_DIR, removed by `removeDataDirs` (afterAll). */
export function tempDataDir(prefix = 'pluralign-batch-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dataDirs.push(d);
  return d;
}
export function removeDataDirs(): void {
  for (const d of dataDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
