/**
 * src/server.ts as a real process: configuration errors stop the start with a message naming the
 * variable; SIGTERM/SIGINT finish the request in flight, then exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForExit } from '../fixtures/server-process.js';
import { FIXTURE_GRAPHS, ROOT } from './helpers.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
});

const dataRoot = mkdtempSync(join(tmpdir(), 'pluralign-server-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
    cwd: ROOT,
    // Custom graphs go to a fresh DATA_DIR (not the repository's ./data).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: mkdtempSync(join(dataRoot, 'run-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8'); // a character split across chunks stays whole
  child.stdout!.on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8'); // a character split across chunks stays whole
  child.stderr!.on('data', (d: string) => (stderr += d));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined); // only the tests that wait for it care
  return { child, listening, out: () => stdout, err: () => stderr };
}

// Every variable's validation is unit-tested in config.test.ts; here, that the process stops.
// Each test spawns the server under tsx (several seconds of transpiling); a loaded machine needs more than
// the default 30 s.
describe.concurrent('configuration errors stop the start', { timeout: 120_000 }, () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [{ GRAPHS_DIR: '/no/such/folder' }, 'GRAPHS_DIR'],
  ])('%o → exit 1 naming %s', async (env, name) => {
    const { child, err } = start(env);
    const code = await waitForExit(child);
    expect(code).toBe(1);
    expect(err()).toContain(`${name}=`);
    expect(err()).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('an invalid graph in GRAPHS_DIR → exit 1 naming the file and the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pluralign-graphs-'));
    try {
      writeFileSync(
        join(dir, 'bad.json'),
        JSON.stringify({
          id: 'bad',
          version: '1',
          nodes: [
            {
              id: 'a',
              kind: 'value',
              label: 'a',
              mechanism: { type: 'linear', intercept: 0, coefficients: {}, noiseSd: 1 },
            },
          ],
          edges: [],
        }),
      );
      const { child, err } = start({ GRAPHS_DIR: dir });
      expect(await waitForExit(child)).toBe(1);
      expect(err()).toContain('bad.json');
      expect(err()).toContain('"a"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startup', () => {
  it('logs where the playground and the API reference are', async () => {
    const s = start({ PORT: '0', GRAPHS_DIR: FIXTURE_GRAPHS, LOG_LEVEL: 'info' });
    const url = await s.listening;
    for (let i = 0; i < 250 && !s.out().includes('playground at'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const line = s
      .out()
      .split('\n')
      .find((l) => l.includes('playground at'));
    expect(JSON.parse(line!)).toMatchObject({
      msg: `playground at ${url}/, API reference (Swagger UI) at ${url}/docs`,
      playground: `${url}/`,
      docs: `${url}/docs`,
    });
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await waitForExit(s.child)).toBe(0);
  });
});

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s finishes the request in flight, then exits 0',
    async (signal) => {
      const s = start({ PORT: '0', GRAPHS_DIR: FIXTURE_GRAPHS, LOG_LEVEL: 'info' });
      const url = await s.listening;
      const body = JSON.stringify({
        graph: 'mini-values',
        evidence: { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 },
        interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
      });
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      const response = new Promise<string>((resolve, reject) => {
        let out = '';
        socket.on('data', (d) => (out += d.toString('utf8')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
      socket.write(
        `POST /v1/counterfactuals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nx-request-id: inflight-1\r\n\r\n${body.slice(0, 5)}`,
      );
      // Wait until the server has the request (its "incoming request" log line), then signal.
      for (let i = 0; i < 500 && !s.out().includes('inflight-1'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(s.out()).toContain('inflight-1');
      process.kill(s.child.pid!, signal);
      for (let i = 0; i < 500 && !s.out().includes('shutting down'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(s.child.exitCode).toBeNull(); // still draining
      socket.end(body.slice(5));
      const text = await response;
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      expect(await waitForExit(s.child)).toBe(0);
      const lines = s
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; signal?: string; requestId?: string });
      expect(lines.find((l) => l.msg.startsWith('shutting down'))?.signal).toBe(signal);
      expect(lines.some((l) => l.msg === 'request completed' && l.requestId === 'inflight-1')).toBe(true);
      expect(lines.at(-1)?.msg).toBe('stopped');
    },
  );
});
