/**
 * `npm run openapi`: write openapi.yaml (the repository root) from the app's route schemas.
 * `npm run openapi:check` (`--check`): exit 1 when the committed openapi.yaml differs from it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/graphs/registry.js';
import { emitOpenApi } from '../src/http/emit-openapi.js';

const check = process.argv.includes('--check');
const target = join(packageRoot(), 'openapi.yaml');
const { yaml } = await emitOpenApi();

if (check) {
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== yaml) {
    console.error(
      'openapi.yaml is out of date with the route schemas: run `npm run openapi` and commit the result.',
    );
    process.exit(1);
  }
  console.log('openapi.yaml is up to date.');
} else {
  writeFileSync(target, yaml);
  console.log(`wrote ${target}`);
}
