/**
 * mathjs is loaded on first use, not at start-up (src/graphs/expression-parser.ts): no module of the
 * service imports it as a value, the engine takes the parser it is given, and a graph with an
 * expression mechanism still loads and evaluates through the registry.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/graphs/registry.js';
import { mechanismValue } from '../../src/scm/compile.js';
import { ROOT } from '../http/helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** b = 2·a² + sin(a) + noise: one expression mechanism. */
const EXPRESSION_GRAPH = {
  id: 'expr-lazy',
  version: '1',
  nodes: [
    { id: 'a', kind: 'latent', label: 'A', mechanism: { type: 'root', mean: 0, sd: 1 } },
    {
      id: 'b',
      kind: 'value',
      label: 'B',
      mechanism: { type: 'expression', expression: '2 * a^2 + sin(a)', noiseSd: 1 },
    },
  ],
  edges: [['a', 'b']],
};

describe('the expression parser, loaded on first use', () => {
  it('no module of src/ imports or re-exports mathjs as a value, statically or dynamically (types are erased)', () => {
    const offenders = sources(join(ROOT, 'src')).filter((file) =>
      /^\s*(import|export)\s+(?!type\b)[^;]*from\s+'mathjs|import\(\s*'mathjs/m.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('the app module graph does not load mathjs until a graph has an expression', () => {
    // A fresh process: import the HTTP app (everything `npm start` loads), then read the first
    // expression. The parser comes from mathjs' CommonJS build, so require.cache shows when it loads.
    const script = `
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/mathjs/'));
      await import(${JSON.stringify(join(ROOT, 'src', 'http', 'app.ts'))});
      const before = loaded();
      const { makeEntry } = await import(${JSON.stringify(join(ROOT, 'src', 'graphs', 'registry.ts'))});
      makeEntry(${JSON.stringify(EXPRESSION_GRAPH)});
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ before: false, after: true });
  }, 150_000);

  it('a graph with an expression mechanism loads and evaluates through the registry', () => {
    const entry = makeEntry(EXPRESSION_GRAPH);
    const p = entry.program;
    const x = new Float64Array(p.ids.length);
    x[p.index.get('a')!] = 1.5;
    expect(mechanismValue(p, p.index.get('b')!, x)).toBeCloseTo(2 * 1.5 ** 2 + Math.sin(1.5), 12);
  });
});
