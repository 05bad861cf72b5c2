/** Writes eval/profiles.json (the default targets of `pluralign eval`); see src/eval/profiles.ts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/graphs/registry.js';
import { deriveDefaultProfiles } from '../src/eval/profiles.js';

const out = join(packageRoot(), 'eval', 'profiles.json');
writeFileSync(out, `${JSON.stringify(deriveDefaultProfiles(), null, 2)}\n`);
console.log(`written ${out}`);
