/**
 * Batch input checks (src/batch/input.ts) and, through the real app, their answer: a line nested
 * deeper than the body depth limit and a custom_id with a lone surrogate reject the batch with 400
 * BATCH_INVALID_INPUT naming the line (before, a deep line was stored and failed as 503
 * STORAGE_UNAVAILABLE, and lone surrogates came back mangled, so two ids could collide).
 */
import { describe, expect, it } from 'vitest';
import { parseBatchInput } from '../../src/batch/input.js';
import { MAX_JSON_DEPTH } from '../../src/http/security.js';
import { makeApp } from '../http/helpers.js';

const line = (custom_id: string, body: unknown = { text: 'x' }) =>
  JSON.stringify({ custom_id, url: '/v1/attributions', body });
const deep = (levels: number): unknown => (levels === 0 ? 1 : { a: deep(levels - 1) });
const TOO_DEEP = `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; flatten it`;

describe('batch input', () => {
  it('refuses a line nested deeper than MAX_JSON_DEPTH, naming it', () => {
    const ok = parseBatchInput(
      [line('a', { text: 'x', extra: deep(MAX_JSON_DEPTH - 3) }), line('b')].join('\n'),
      10,
    );
    expect(ok.ok).toBe(true);
    const r = parseBatchInput(
      [line('a'), line('b', { text: 'x', extra: deep(MAX_JSON_DEPTH + 5) })].join('\n'),
      10,
    );
    expect(r).toEqual({ ok: false, problems: [{ line: 2, message: TOO_DEEP }] });
  });

  it('refuses a custom_id with a lone surrogate; keeps well-formed ones (astral characters too)', () => {
    const lone = '{"custom_id":"x\\ud800","url":"/v1/attributions","body":{"text":"x"}}';
    const other = '{"custom_id":"x\\udc00","url":"/v1/attributions","body":{"text":"x"}}';
    const r = parseBatchInput([lone, other].join('\n'), 10);
    expect(r.ok).toBe(false);
    const problems = !r.ok && !r.tooMany ? r.problems : [];
    expect(problems.map((p) => p.line)).toEqual([1, 2]);
    expect(problems[0]!.message).toMatch(/lone surrogate/);
    const fine = parseBatchInput([line('emoji-😀'), line('accent-é')].join('\n'), 10);
    expect(fine.ok && fine.lines.map((l) => l.custom_id)).toEqual(['emoji-😀', 'accent-é']);
  });

  it('the app answers a deep line with 400 BATCH_INVALID_INPUT, not 503', async () => {
    const app = await makeApp();
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jsonl' },
        payload: [line('a'), line('deep', { text: 'x', extra: deep(200) })].join('\n'),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('BATCH_INVALID_INPUT');
      expect(res.json().error.details).toEqual([{ path: 'line.2', message: TOO_DEEP }]);
    } finally {
      await app.close();
    }
  });
});
