/**
 * GET /v1/batches/{id}/output streams (src/batch/store.ts `outputPages`, src/http/routes/batches.ts):
 * a real server whose V8 heap is capped at 128 MB (NODE_OPTIONS) sends an output of ~300 MB — 4,000
 * finished lines of ~75 kB each, written into its batches.db beforehand through the store's own API —
 * in input order. Building the output as one string (as before) cannot fit in that heap.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BatchDb } from '../../src/batch/store.js';
import * as batch from './helpers.js';

afterAll(() => {
  batch.killAll();
  batch.removeDataDirs();
});

const LINES = 4000;
const FILLER = 'x'.repeat(75_000);

describe('batch output', () => {
  it('streams an output larger than the server heap, every line in order', { timeout: 180_000 }, async () => {
    const dir = batch.tempDataDir('pluralign-batch-out-');
    const db = BatchDb.open(dir);
    const lines = Array.from({ length: LINES }, (_, i) => ({
      custom_id: `big-${i}`,
      url: '/v1/attributions',
      body: { text: 'x' },
    }));
    const id = db.create('', lines, null);
    const worker = 'test-writer';
    for (let claimed = db.claim(worker, 500); claimed.length > 0; claimed = db.claim(worker, 500)) {
      db.completeMany(
        worker,
        claimed.map((l) => ({
          batchId: l.batchId,
          line: l.line,
          result: { status_code: 200, body: { line: l.line, filler: FILLER } },
        })),
      );
    }
    db.close();

    const server = await batch.startServer({
      DATA_DIR: dir,
      BATCH_CONCURRENCY: '0',
      NODE_OPTIONS: '--max-old-space-size=128',
    });
    const status = await batch.api<batch.BatchStatus>(server.url, `/v1/batches/${id}`);
    expect(status.json.status).toBe('completed');
    expect(status.json.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });

    const res = await fetch(`${server.url}/v1/batches/${id}/output`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/jsonl/);
    // Read it as it comes: check each line, keep nothing.
    const decoder = new TextDecoder();
    let rest = '';
    let count = 0;
    let bytes = 0;
    const check = (text: string) => {
      const l = JSON.parse(text) as {
        custom_id: string;
        response: { body: { line: number; filler: string } };
      };
      expect(l.custom_id).toBe(`big-${count}`);
      expect(l.response.body.line).toBe(count + 1);
      expect(l.response.body.filler).toHaveLength(FILLER.length);
      count++;
    };
    for await (const chunk of res.body!) {
      bytes += chunk.byteLength;
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        check(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    expect(rest).toBe('');
    expect(count).toBe(LINES);
    expect(bytes).toBeGreaterThan(300_000_000);
    // The server is still up (not killed by an out-of-memory error).
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await batch.waitForExit(server.child)).toBe(0);
  });
});
