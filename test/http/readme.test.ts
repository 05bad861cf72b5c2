/**
 * README.md stays true: every `curl` command of its "The HTTP service" section runs against a live
 * server (bundled graphs) and gets the status its comment promises (`# → 404 CODE`), 2xx otherwise;
 * the configuration table lists exactly the variables src/config.ts reads, with their defaults.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARS } from '../../src/config/index.js';
import { BUNDLED_GRAPHS, ROOT, startLive, type Live } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = (() => {
  const start = readme.indexOf('## The HTTP service');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
})();

interface Example {
  command: string;
  status?: number;
  code?: string;
}

/** The curl commands of the ```sh blocks: a command runs on while a line ends in `\` or a quote is open. */
function curlCommands(markdown: string): Example[] {
  const out: Example[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('curl ')) continue;
      let command = lines[i]!;
      const open = (s: string) =>
        (s.replace(/#.*$/, '').match(/'/g)?.length ?? 0) % 2 === 1 || /\\\s*$/.test(s);
      let text = command;
      while (open(text) && i + 1 < lines.length) {
        command += `\n${lines[++i]}`;
        text = command;
      }
      const expect = /#\s*→\s*(\d{3})\s+([A-Z_]+)\s*$/.exec(command);
      out.push({
        command: command.replace(/\s*#\s*→.*$/, ''),
        ...(expect ? { status: Number(expect[1]), code: expect[2]! } : {}),
      });
    }
  }
  return out;
}

describe('README.md', () => {
  const examples = curlCommands(section);
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(() => live.close());

  it('has curl examples for every route family', () => {
    const all = examples.map((e) => e.command).join('\n');
    for (const route of [
      '/readyz',
      '/v1/graphs',
      '/v1/counterfactuals',
      '/v1/presets',
      '/v1/profiles/convert',
    ]) {
      expect(all).toContain(route);
    }
    expect(examples.filter((e) => e.status === undefined).length).toBeGreaterThanOrEqual(7);
    expect(examples.filter((e) => e.status !== undefined).length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples.map((e) => [e.command.split('\n')[0]!, e] as const))('%s', async (_title, example) => {
    const command = example.command.replaceAll('http://127.0.0.1:8080', live.url);
    const script = `${command} -w '\\n%{http_code}'`;
    // Async: the server that answers runs in this process.
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8' });
    const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
    const text = stdout.slice(0, stdout.lastIndexOf('\n'));
    // A server-sent-events answer (`"stream": true`): no `error` event, and it ends with `done`.
    if (text.startsWith('event: ')) {
      const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      expect(status).toBe(200);
      expect(events[0]).toBe('profile');
      expect(events).not.toContain('error');
      expect(events.at(-1)).toBe('done');
      return;
    }
    const body = JSON.parse(text) as { error?: { code: string } };
    if (example.status === undefined) {
      expect(status, stdout.slice(0, 500)).toBeGreaterThanOrEqual(200);
      expect(status, stdout.slice(0, 500)).toBeLessThan(300);
      expect(body.error).toBeUndefined();
    } else {
      expect(status).toBe(example.status);
      expect(body.error?.code).toBe(example.code);
    }
  });

  it('the batch example answers its first query and reports the unknown node of the second', async () => {
    const batch = examples.find((e) => e.command.includes('"queries"'))!;
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-c', batch.command.replaceAll('http://127.0.0.1:8080', live.url)],
      {
        encoding: 'utf8',
      },
    );
    const body = JSON.parse(stdout) as {
      results: [{ result: { counterfactual: { b: number } } }, { error: { code: string } }];
    };
    // b = 2a + u with u = 2.5 − 2·1 = 0.5, so do(a := 2) gives b = 4.5.
    expect(body.results[0].result.counterfactual.b).toBeCloseTo(4.5, 12);
    expect(body.results[1].error.code).toBe('UNKNOWN_NODE');
  });

  it('the configuration table lists every variable with its default', () => {
    const rows = [...section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|([^|]+)\|/gm)].map(
      (m) => [m[1]!, m[2]!.trim()] as const,
    );
    expect(rows.map(([name]) => name)).toEqual(Object.keys(CONFIG_VARS));
    for (const [name, def] of rows) {
      const documented = CONFIG_VARS[name as keyof typeof CONFIG_VARS].default;
      if (name === 'GRAPHS_DIR') expect(def).toMatch(/bundled/);
      else if (documented.startsWith('(')) expect(def).toBe(documented);
      else expect(def).toBe(`\`${documented}\``);
    }
  });
});
