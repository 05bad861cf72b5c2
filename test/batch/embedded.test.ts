/**
 * Batch jobs on the embedded queue, against the real server process (src/server.ts) and its SQLite
 * file in a temporary DATA_DIR: a 500-line batch with the template generator; SIGKILL mid-batch (lines
 * answered by a slow fake upstream) and a restart on the same DATA_DIR finishes it with every custom_id
 * exactly once; a bad line yields an
 * error line while the others succeed; malformed input is refused; per-key ownership; cancel.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_DB_FILE } from '../../src/batch/store.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { ROOT } from '../http/helpers.js';
import {
  alignLines,
  api,
  killAll,
  output,
  pollStatus,
  startServer,
  submit,
  waitForExit,
  type BatchStatus,
} from './helpers.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pluralign-batch-'));
  dirs.push(d);
  return d;
}
/**
 * An upstream that takes 20 ms per answer, for the tests that act while a batch runs (a crash, a
 * cancel): the template generator answers in well under a millisecond, too fast to catch mid-batch.
 */
let slow: FakeOpenAI;
let slowEnv: Record<string, string>;
beforeAll(async () => {
  slow = await startFakeOpenAI({
    defaultScenario: { type: 'ok', text: 'Stance: yes\n\nFamily comes first.', firstTokenDelayMs: 20 },
  });
  slowEnv = { GENERATOR: 'openai', OPENAI_BASE_URL: slow.url, OPENAI_MODEL: 'fake-model' };
});
afterAll(async () => {
  killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await slow.close();
});

const done = (s: BatchStatus) => s.status === 'completed';

describe('embedded queue (real server process, SQLite in DATA_DIR)', () => {
  it('completes a 500-line batch; a bad line yields an error line and the others succeed', async () => {
    const server = await startServer({ DATA_DIR: dataDir(), BATCH_CONCURRENCY: '8' });
    const lines = alignLines(499);
    // Line 251: valid JSON envelope, but the align body breaks its schema (no target).
    lines.splice(250, 0, JSON.stringify({ custom_id: 'bad', url: '/v1/align', body: { question: 'x' } }));
    const t0 = Date.now();
    const created = await submit(server.url, lines);
    expect(created.status).toBe(200);
    expect(created.json.request_counts.total).toBe(500);
    const final = await pollStatus(server.url, created.json.id, done);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`500 lines in ${seconds.toFixed(2)} s (${(500 / seconds).toFixed(0)} lines/s)`);
    expect(final.request_counts).toEqual({ total: 500, completed: 499, failed: 1 });
    expect(final.completed_at).toBeTypeOf('number');
    const out = await output(server.url, created.json.id);
    expect(out).toHaveLength(500);
    expect(out.map((l) => l.custom_id)).toEqual(
      lines.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id),
    );
    const bad = out.find((l) => l.custom_id === 'bad')!;
    expect(bad.response?.status_code).toBe(400);
    expect(bad.error?.code).toBe('VALIDATION_FAILED');
    for (const l of out.filter((x) => x.custom_id !== 'bad')) {
      expect(l.error).toBeNull();
      expect(l.response?.status_code).toBe(200);
      expect(typeof l.response?.body.answer).toBe('string');
    }
    server.child.kill('SIGTERM');
    await waitForExit(server.child);
  });

  it('survives SIGKILL mid-batch: after a restart every custom_id is in the output exactly once', async () => {
    const dir = dataDir();
    const env = { ...slowEnv, DATA_DIR: dir, BATCH_CONCURRENCY: '2' };
    let server = await startServer(env);
    const lines = alignLines(500, 'k');
    const created = await submit(server.url, lines);
    expect(created.status).toBe(200);
    const id = created.json.id;
    const before = await pollStatus(server.url, id, (s) => s.request_counts.completed >= 60, 60_000);
    server.child.kill('SIGKILL');
    await waitForExit(server.child);
    expect(before.request_counts.completed).toBeLessThan(500);

    // The database after the crash: some lines done, and what was running is still marked running.
    const db = new Database(join(dir, BATCH_DB_FILE), { readonly: true });
    const states = db.prepare('SELECT state, COUNT(*) AS n FROM batch_lines GROUP BY state').all() as Array<{
      state: string;
      n: number;
    }>;
    db.close();
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    expect(byState.done).toBeGreaterThanOrEqual(before.request_counts.completed);
    expect(byState.done).toBeLessThan(500);

    server = await startServer(env);
    const final = await pollStatus(server.url, id, done);
    expect(final.request_counts).toEqual({ total: 500, completed: 500, failed: 0 });
    const out = await output(server.url, id);
    const ids = out.map((l) => l.custom_id);
    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);
    expect(ids).toEqual(lines.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id));
    expect(out.every((l) => l.response?.status_code === 200)).toBe(true);
    expect(server.output()).toMatch(/re-queued/);
    server.child.kill('SIGTERM');
    await waitForExit(server.child);
  }, 120_000); // two server starts: ~15 s each on a loaded 2-core machine

  it('refuses malformed input, keeps batches per key, lists and cancels', async () => {
    const keys = [
      { name: 'alice', key: 'alice-key-0123456789abcdef', scopes: ['align'] },
      { name: 'bob', key: 'bob-key-0123456789abcdefgh', scopes: ['align'] },
    ];
    const server = await startServer({
      ...slowEnv,
      DATA_DIR: dataDir(),
      BATCH_CONCURRENCY: '1',
      BATCH_MAX_LINES: '1000',
      API_KEYS: JSON.stringify(keys),
    });
    const alice = { authorization: `Bearer ${keys[0]!.key}` };
    const bob = { authorization: `Bearer ${keys[1]!.key}` };

    const bad = await submit(
      server.url,
      [
        alignLines(1)[0]!,
        '{not json',
        JSON.stringify({ custom_id: 'req-0', url: '/v1/align', body: {} }),
        JSON.stringify({ url: '/v1/align', body: {} }),
        JSON.stringify({ custom_id: 'x', url: '/v1/graphs', body: {} }),
      ],
      alice,
    );
    expect(bad.status).toBe(400);
    const err = bad.json as unknown as { error: { code: string; details: Array<{ path: string }> } };
    expect(err.error.code).toBe('BATCH_INVALID_INPUT');
    expect(err.error.details.map((d) => d.path)).toEqual(['line.2', 'line.3', 'line.4', 'line.5']);

    const tooMany = await submit(server.url, alignLines(1001), alice);
    expect(tooMany.status).toBe(413);
    expect((tooMany.json as unknown as { error: { code: string } }).error.code).toBe('BATCH_TOO_MANY_LINES');

    // JSON form, owned by alice; invisible to bob.
    const created = await api<BatchStatus>(server.url, '/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...alice },
      body: JSON.stringify({ input: alignLines(400).join('\n'), metadata: { run: 'a' } }),
    });
    expect(created.status).toBe(200);
    const id = created.json.id;
    expect((await api(server.url, `/v1/batches/${id}`, { headers: bob })).status).toBe(404);
    expect((await api(server.url, `/v1/batches/${id}/output`, { headers: bob })).status).toBe(404);
    expect((await api(server.url, `/v1/batches/${id}/cancel`, { method: 'POST', headers: bob })).status).toBe(
      404,
    );
    const listA = await api<{ data: BatchStatus[] }>(server.url, '/v1/batches', { headers: alice });
    expect(listA.json.data.map((b) => b.id)).toEqual([id]);
    const listB = await api<{ data: BatchStatus[] }>(server.url, '/v1/batches', { headers: bob });
    expect(listB.json.data).toEqual([]);
    expect((await api(server.url, '/v1/batches')).status).toBe(401);

    const cancelled = await api<BatchStatus>(server.url, `/v1/batches/${id}/cancel`, {
      method: 'POST',
      headers: alice,
    });
    expect(cancelled.status).toBe(200);
    expect(['cancelling', 'cancelled']).toContain(cancelled.json.status);
    const final = await pollStatus(server.url, id, (s) => s.status === 'cancelled', 30_000, alice);
    const out = await output(server.url, id, alice);
    expect(out).toHaveLength(400);
    const skipped = out.filter((l) => l.error?.code === 'BATCH_CANCELLED');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.length + final.request_counts.completed).toBe(400);
    server.child.kill('SIGTERM');
    await waitForExit(server.child);
  });

  it('pluralign batch submit --wait / status / fetch against the server', { timeout: 90_000 }, async () => {
    const dir = dataDir();
    const server = await startServer({ DATA_DIR: dir });
    const input = join(dir, 'in.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(input, alignLines(20, 'cli').join('\n') + '\n');
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'batch', ...args],
          {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PLURALIGN_URL: server.url },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8'); // a character split across chunks stays whole
        child.stdout.on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8'); // a character split across chunks stays whole
        child.stderr.on('data', (d: string) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const submitted = await cli(['submit', input, '--wait', '--output', out]);
    expect(submitted.code).toBe(0);
    // Not a terminal: plain progress lines, the last one final.
    expect(submitted.stderr).toMatch(/batch_[0-9a-f]{24} completed 20\/20 failed=0\n$/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `cli-${i}`),
    );
    const id = /(batch_[0-9a-f]{24})/.exec(submitted.stderr)![1]!;
    const status = await cli(['status', id]);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as BatchStatus).request_counts).toEqual({
      total: 20,
      completed: 20,
      failed: 0,
    });
    const fetched = await cli(['fetch', id]);
    expect(fetched.stdout.trim().split('\n')).toEqual(lines);
    const missing = await cli(['status', 'batch_0123456789abcdef01234567']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/UNKNOWN_BATCH/);
    server.child.kill('SIGTERM');
    await waitForExit(server.child);
  });
});
