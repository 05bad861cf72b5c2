// `npm start`: serve from the compiled dist/ (built by `npm install`'s `prepare`), rebuilding first
// only when a source is newer than the build (src/, schemas/, the tsconfig files) or there is no build.
// Plain JavaScript on purpose: it runs before anything is compiled. `npm run dev` watches instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'server.js');

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const sources = ['src', 'schemas', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(root, p));
const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const changed = Math.max(...sources.map(newest));
// An installed package has dist/ and no sources: nothing to compare, start at once.
if (built === 0 || (changed > built && existsSync(join(root, 'src')))) {
  console.error(
    built === 0 ? 'pluralign: no build yet, compiling…' : 'pluralign: sources changed, recompiling…',
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(pathToFileURL(entry).href);
