/**
 * Golden files: fixed inputs must render to exactly the bytes committed under test/render/golden/.
 * Any byte change fails, with the first difference shown; the new rendering is written to
 * test-output/golden/<name> for a look (or a diff). After an intended change, regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/render
 * and review the SVGs before committing them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GOLDEN_DIR = join(ROOT, 'test', 'render', 'golden');

export function checkGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`no golden file ${name}; create it with UPDATE_GOLDEN=1 npx vitest run test/render`);
  }
  const expected = readFileSync(path, 'utf8');
  if (actual === expected) return;
  const out = join(ROOT, 'test-output', 'golden', name);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, actual);
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const line = expected.slice(0, i).split('\n').length;
  throw new Error(
    `${name} differs from the golden file at byte ${i} (line ${line}):\n` +
      `  golden: ${JSON.stringify(expected.slice(Math.max(0, i - 40), i + 60))}\n` +
      `  actual: ${JSON.stringify(actual.slice(Math.max(0, i - 40), i + 60))}\n` +
      `the new rendering is in ${out}; if the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/render`,
  );
}

/** Numbers in the SVG have at most `digits` decimals: no floating-point noise such as 0.30000000000000004. */
export function noisyNumbers(svg: string, digits = 2): string[] {
  return [...svg.matchAll(new RegExp(`\\d\\.\\d{${digits + 1},}`, 'g'))].map((m) => m[0]);
}
