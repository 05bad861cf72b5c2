/**
 * Parsing a batch input file (JSONL, one request per line, OpenAI's Batch API shape):
 * `{"custom_id": "q1", "method": "POST"?, "url": "/v1/align" | "/v1/attributions" | "/v1/decisions", "body": {...}}`.
 *
 * Structural problems reject the whole batch (400 BATCH_INVALID_INPUT, every bad line listed): a line
 * that is not a JSON object, a missing or empty `custom_id`, a duplicate `custom_id`, an unknown `url`,
 * a `method` other than POST, a `body` that is not an object, a line nested deeper than the JSON depth
 * limit of request bodies (MAX_JSON_DEPTH). Blank lines are skipped (not counted).
 * A `body` that does not match its route's schema is not checked here: that line yields an error line
 * at run time and the others run.
 */
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../json-depth.js';
import { BATCH_URLS, type BatchUrl } from './execute.js';
import type { BatchLineInput } from './store.js';

export interface InputProblem {
  /** 1-based line number in the input text. */
  line: number;
  message: string;
}

export type ParsedInput =
  | { ok: true; lines: BatchLineInput[] }
  | { ok: false; problems: InputProblem[]; tooMany?: false }
  | { ok: false; tooMany: true; count: number };

const MAX_CUSTOM_ID = 256;
/** In a `u` regex paired surrogates are one code point: `\p{Cs}` matches only a lone one. */
const LONE_SURROGATE = /\p{Cs}/u;

export function parseBatchInput(text: string, maxLines: number): ParsedInput {
  const raw = text.split('\n');
  const lines: BatchLineInput[] = [];
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const src = raw[i]!.trim();
    if (src === '') continue;
    count++;
    if (count > maxLines) return { ok: false, tooMany: true, count: raw.filter((l) => l.trim()).length };
    const n = i + 1;
    // The same depth limit as a request body (a deeper line would fail every walk over it later).
    if (jsonDeeperThan(src, MAX_JSON_DEPTH)) {
      problems.push({
        line: n,
        message: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; flatten it`,
      });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch {
      problems.push({ line: n, message: 'not valid JSON' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line: n, message: 'must be a JSON object' });
      continue;
    }
    const o = value as Record<string, unknown>;
    const bad: string[] = [];
    const cid = o.custom_id;
    if (typeof cid !== 'string' || cid.length === 0) bad.push('custom_id must be a non-empty string');
    else if (cid.length > MAX_CUSTOM_ID) bad.push(`custom_id must be at most ${MAX_CUSTOM_ID} characters`);
    // A lone surrogate (\ud800) cannot be stored or sent back as it came: two such ids could collide.
    else if (LONE_SURROGATE.test(cid))
      bad.push('custom_id must be valid Unicode text (it has a lone surrogate)');
    else if (seen.has(cid)) bad.push(`duplicate custom_id "${cid}" (first on line ${seen.get(cid)})`);
    if (o.method !== undefined && o.method !== 'POST') bad.push('method must be POST');
    if (typeof o.url !== 'string' || !(BATCH_URLS as readonly string[]).includes(o.url)) {
      bad.push(`url must be one of ${BATCH_URLS.join(', ')}`);
    }
    if (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body)) {
      bad.push('body must be a JSON object');
    }
    const unknown = Object.keys(o).filter((k) => !['custom_id', 'method', 'url', 'body'].includes(k));
    if (unknown.length > 0) bad.push(`unknown field(s): ${unknown.join(', ')}`);
    if (typeof cid === 'string' && cid.length > 0 && !seen.has(cid)) seen.set(cid, n);
    if (bad.length > 0) {
      problems.push({ line: n, message: bad.join('; ') });
      continue;
    }
    lines.push({ custom_id: cid as string, url: o.url as BatchUrl, body: o.body });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (lines.length === 0)
    return { ok: false, problems: [{ line: 1, message: 'the input has no request lines' }] };
  return { ok: true, lines };
}
