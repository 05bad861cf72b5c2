/**
 * The embedded queue shares the event loop with the HTTP server (src/batch/embedded.ts): while a batch
 * of CPU-only lines runs (phrase-detector attributions and template alignments, each well under a
 * millisecond of work), /healthz and other requests are answered, and SIGTERM drains the queue and
 * exits within SHUTDOWN_TIMEOUT_MS; the lines not run are kept and finish after a restart.
 *
 * Before the fix the queue ran every line in one go: /healthz waited for the whole batch (3,000 lines:
 * 5.6 s) and SIGTERM was not handled until the batch had finished. The latency bounds below are loose
 * (a loaded 2-core machine) but far below the batch's duration.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as batch from './helpers.js';

afterAll(() => {
  batch.killAll();
  batch.removeDataDirs();
});
const dataDir = () => batch.tempDataDir('pluralign-batch-live-');

describe('a CPU-only batch does not hold the event loop', () => {
  it('answers /healthz and other requests while 3,000 lines run', { timeout: 120_000 }, async () => {
    const srv = await batch.startServer({ DATA_DIR: dataDir() });
    const created = await batch.submit(srv.url, batch.mixedLines(3000));
    expect(created.status).toBe(200);
    const id = created.json.id;
    let finished = false;
    const final = batch
      .pollStatus(srv.url, id, (s) => s.status === 'completed', 110_000)
      .finally(() => (finished = true));
    const served: number[] = [];
    const other = (async () => {
      while (!finished) {
        const r = await batch.api(srv.url, '/v1/graphs');
        served.push(r.status);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const latencies = await batch.healthzLatencies(srv.url, () => finished);
    await other;
    const status = await final;
    expect(status.request_counts).toEqual({ total: 3000, completed: 3000, failed: 0 });
    // Many answers during the batch, not one after it; and quick ones.
    expect(latencies.length).toBeGreaterThanOrEqual(20);
    expect(batch.percentile(latencies, 50)).toBeLessThan(100);
    expect(batch.percentile(latencies, 90)).toBeLessThan(300);
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(served.every((s) => s === 200)).toBe(true);
    const out = await batch.output(srv.url, id);
    expect(out).toHaveLength(3000);
    expect(out.filter((l) => l.response?.status_code === 200)).toHaveLength(3000);
    srv.child.kill('SIGTERM');
    await batch.waitForExit(srv.child);
  });

  it(
    'SIGTERM mid-batch exits within SHUTDOWN_TIMEOUT_MS; the rest runs after a restart',
    { timeout: 120_000 },
    async () => {
      const dir = dataDir();
      const env = { DATA_DIR: dir, SHUTDOWN_TIMEOUT_MS: '3000' };
      let server = await batch.startServer(env);
      const created = await batch.submit(server.url, batch.mixedLines(3000, 't'));
      expect(created.status).toBe(200);
      const id = created.json.id;
      await batch.pollStatus(server.url, id, (s) => s.request_counts.completed >= 100, 60_000);
      const t0 = performance.now();
      server.child.kill('SIGTERM');
      const code = await batch.waitForExit(server.child);
      const elapsed = performance.now() - t0;
      expect(code).toBe(0);
      expect(elapsed).toBeLessThan(3000);
      expect(server.output()).toMatch(/"msg":"stopped"/);

      server = await batch.startServer(env);
      const stopped = (await batch.api<batch.BatchStatus>(server.url, `/v1/batches/${id}`)).json;
      expect(stopped.request_counts.completed).toBeLessThan(3000);
      const final = await batch.pollStatus(server.url, id, (s) => s.status === 'completed', 110_000);
      expect(final.request_counts).toEqual({ total: 3000, completed: 3000, failed: 0 });
      const ids = (await batch.output(server.url, id)).map((l) => l.custom_id);
      expect(ids).toHaveLength(3000);
      expect(new Set(ids).size).toBe(3000);
      server.child.kill('SIGTERM');
      await batch.waitForExit(server.child);
    },
  );
});
