/**
 * scripts/start.mjs (`npm start`): serves from dist/ without compiling when the build is newer than
 * the sources, and compiles first only when there is no build or a source changed. Run on a small
 * project in a temporary folder (the repository's node_modules linked in for TypeScript).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../http/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pluralign-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start() {
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'start.mjs')], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('npm start', () => {
  it('compiles only when there is no build or a source is newer than it', () => {
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(ROOT, 'scripts', 'start.mjs'), join(dir, 'scripts', 'start.mjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', rootDir: '.', outDir: 'dist', types: [] },
      }),
    );
    writeFileSync(
      join(dir, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src'] }),
    );
    writeFileSync(join(dir, 'src', 'server.ts'), 'const n: number = 1;\nconsole.log(`serving ${n}`);\n');

    const first = start();
    expect(first.status).toBe(0);
    expect(first.err).toContain('no build yet, compiling');
    expect(first.out).toBe('serving 1\n');

    const second = start();
    expect(second.status).toBe(0);
    expect(second.err).toBe(''); // no compilation
    expect(second.out).toBe('serving 1\n');

    writeFileSync(join(dir, 'src', 'server.ts'), 'const n: number = 2;\nconsole.log(`serving ${n}`);\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'src', 'server.ts'), later, later);
    const third = start();
    expect(third.err).toContain('sources changed, recompiling');
    expect(third.out).toBe('serving 2\n');
  });
});
