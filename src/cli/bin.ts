#!/usr/bin/env node
/** Entry point of the `pluralign` command (package.json `bin`). */
import { main } from './index.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
