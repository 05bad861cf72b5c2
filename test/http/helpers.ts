/**
 * Test helpers: build the app on the test graphs (test/fixtures/http-graphs) or the bundled ones, with
 * or without a real listening server on 127.0.0.1, and capture log lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../src/config/index.js';
import { buildApp, type BuildOptions } from '../../src/http/app.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_GRAPHS = join(ROOT, 'test', 'fixtures', 'http-graphs');
export const BUNDLED_GRAPHS = join(ROOT, 'graphs');

/** A fresh data folder per app (custom graphs), removed when the test process exits. */
const DATA_ROOT = mkdtempSync(join(tmpdir(), 'pluralign-data-'));
process.on('exit', () => rmSync(DATA_ROOT, { recursive: true, force: true }));
export function freshDataDir(): string {
  return mkdtempSync(join(DATA_ROOT, 'app-'));
}

/**
 * The configuration of a test app: the test graphs, no logs, a fresh DATA_DIR, no per-IP rate limit
 * (every request of a test comes from 127.0.0.1), no event-loop-delay cut-off (tests block the
 * event loop on purpose, e.g. spawnSync) and responses checked against their schemas; test/security
 * sets its own limits.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    GRAPHS_DIR: FIXTURE_GRAPHS,
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATA_DIR: freshDataDir(),
    RATE_LIMIT_PER_IP: '0',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // Every response of the suite is checked against its schema (src/http/serialization.ts).
    RESPONSE_VALIDATION: 'true',
    ...env,
  });
}

export async function makeApp(
  env: Record<string, string> = {},
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env), { logger: false, ...options });
  await app.ready();
  return app;
}

export interface Live {
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

/** The app listening on 127.0.0.1 on a free port. */
export async function startLive(env: Record<string, string> = {}, options: BuildOptions = {}): Promise<Live> {
  const app = await buildApp(testConfig(env), { logger: false, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${addr.port}`, close: () => app.close() };
}

/** A stream collecting JSON log lines. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    cb();
  }
}

/** Every property of an error envelope, checked. */
export function expectEnvelope(
  body: unknown,
  code: string,
): { code: string; message: string; details: Array<{ path: string; message: string; node?: string }> } {
  const b = body as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  if (!b || typeof b !== 'object' || !b.error)
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  const keys = Object.keys(b).sort().join(',');
  if (keys !== 'error') throw new Error(`envelope has extra keys: ${keys}`);
  const e = b.error;
  if (Object.keys(e).sort().join(',') !== 'code,details,message')
    throw new Error(`error has keys ${Object.keys(e)}`);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${String(e.code)}: ${String(e.message)}`);
  if (typeof e.message !== 'string' || e.message.length === 0) throw new Error('empty message');
  if (!Array.isArray(e.details)) throw new Error('details is not an array');
  return e as {
    code: string;
    message: string;
    details: Array<{ path: string; message: string; node?: string }>;
  };
}

/** `NAME=value` alone is refused by loadConfig, with a message naming the variable and its value. */
export function expectRefused(name: string, value: string): void {
  let error: unknown;
  try {
    loadConfig({ [name]: value });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variables).toEqual([name]);
  expect((error as ConfigError).message).toContain(`${name}=${JSON.stringify(value)}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON is read loosely in tests
type Loose = any;

/** Parse a text/event-stream body into events. */
export function parseSse(text: string): Array<{ event: string; data: Loose }> {
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: data === '[DONE]' ? '[DONE]' : JSON.parse(data) };
    });
}

/** POST a JSON body; the response, its text and the text parsed. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, text, json: () => JSON.parse(text) as Record<string, Loose> };
}
