/**
 * The `pluralign` bin as a process (tsx on src/cli/bin.ts, the same code `dist/src/cli/bin.js` runs):
 * `--help` lists every command, each command's `--help` has usage, examples and exit codes; real
 * invocations with human-readable and JSON output and their exit codes. And the progress helper.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/index.js';
import { progress, table } from '../../src/cli/progress.js';
import { chainGraph } from '../fixtures/toy-graphs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'src', 'cli', 'bin.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function pluralign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [BIN, ...args], { encoding: 'utf8', cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pluralign-bin-'));
const graph = join(dir, 'chain.json');
writeFileSync(graph, JSON.stringify(chainGraph()));

describe('pluralign (the bin as a process)', () => {
  it('--help lists every command', async () => {
    const r = await pluralign(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(commands)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const name of ['serve', 'counterfactual', 'attribute', 'align', 'fit'])
      expect(Object.keys(commands)).toContain(name);
  });

  it.each(Object.keys(commands))(
    '%s --help: usage, examples, exit codes',
    async (name) => {
      const r = await pluralign([name, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`pluralign ${name}`));
      expect(r.stdout).toMatch(/Usage:/);
      expect(r.stdout).toMatch(/Examples?:\n {2}pluralign /);
      expect(r.stdout).toMatch(/Exit codes?/i);
    },
    30_000,
  );

  it('counterfactual: a table for people, JSON for programs, exit 3 naming a bad node', async () => {
    const human = await pluralign([
      'counterfactual',
      '--graph',
      graph,
      '--evidence',
      '{"X":1,"Y":4}',
      '--interventions',
      '{"X":2}',
      '--table',
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^node\s+factual\s+counterfactual\s+change/m);
    // Y = 1 + 2X + u, u = 4 - 3 = 1; do(X = 2) → Y = 6.
    expect(human.stdout).toMatch(/^Y\s+4\s+6\s+2\s*$/m);
    expect(human.stdout).toMatch(/^X\s+1\s+2\s+1\s+intervened$/m);

    const json = await pluralign([
      'counterfactual',
      '--graph',
      graph,
      '--evidence',
      '{"X":1,"Y":4}',
      '--compact',
    ]);
    expect(JSON.parse(json.stdout).result.counterfactual).toEqual({ X: 1, Y: 4 });

    const bad = await pluralign(['counterfactual', '--graph', graph, '--evidence', '{"W":1}']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/W/);
  }, 30_000);

  it('counterfactual --queries --progress: progress on stderr, clean JSON on stdout', async () => {
    const queries = Array.from({ length: 4 }, (_, i) => ({
      evidence: { X: i, Y: 2 * i + 1 },
      interventions: { X: 0 },
    }));
    const r = await pluralign([
      'counterfactual',
      '--graph',
      graph,
      '--queries',
      JSON.stringify(queries),
      '--progress',
      '--compact',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results).toHaveLength(4);
    // Not a terminal: plain lines, the last one at 4/4.
    expect(r.stderr).toMatch(/^counterfactuals: 1\/4 {2}25%/m);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^counterfactuals: 4\/4 100%/);
    expect(r.stderr).not.toContain('\r');
  }, 30_000);

  it('fit --table; usage errors exit 2 and say what to fix', async () => {
    const data = join(dir, 'data.json');
    writeFileSync(
      data,
      JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ X: i, Y: 1 + 2 * i + (i % 2 ? 0.1 : -0.1) }))),
    );
    const fit = await pluralign(['fit', '--graph', graph, '--data', data, '--table']);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/^node\s+kind\s+n\s+R²\s+sd\s+mechanism/m);
    expect(fit.stdout).toMatch(/^Y\s+linear\s+20\s+1\.000\s+0\.10\d\s+\d\.\d{3} \+ 2\.00\d·X$/m);

    const usage = await pluralign(['fit', '--data', data]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--graph is required/);
    expect(usage.stderr).toMatch(/pluralign fit --help/);
    const unknown = await pluralign(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  }, 30_000);
});

describe('progress()', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, columns: 80, write: (t: string) => writes.push(t) } };
  };

  it('redraws one bar in place on a terminal', () => {
    const { writes, stream } = sink(true);
    let t = 0;
    const bar = progress({ total: 4, label: 'eval', stream, now: () => t });
    t = 1000;
    bar.tick(1, 'item a');
    t = 2000;
    bar.tick(1);
    bar.done();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(`\r\x1b[2Keval [${'█'.repeat(6)}${'░'.repeat(18)}] 1/4  25%  eta 3s  item a`);
    expect(writes[1]).toMatch(/\] 2\/4 {2}50% {2}eta 2s$/);
    expect(writes[2]).toMatch(/\] 2\/4 {2}50% {2}done in 2s\n$/);
  });

  it('prints plain lines every 10% otherwise', () => {
    const { writes, stream } = sink(false);
    const bar = progress({ total: 100, label: 'bench', stream, now: () => 0 });
    for (let i = 0; i < 100; i++) bar.tick();
    bar.done();
    expect(writes).toHaveLength(10);
    expect(writes[0]).toBe('bench: 10/100  10%  eta 0s\n');
    expect(writes.at(-1)).toBe('bench: 100/100 100%\n');
    expect(writes.join('')).not.toContain('\r');
  });

  it('formats tables with numbers right-aligned', () => {
    expect(
      table(
        ['a', 'n'],
        [
          ['x', 1.5],
          ['long', 10],
        ],
      ),
    ).toBe('a         n\n----  -----\nx     1.500\nlong     10');
  });
});
