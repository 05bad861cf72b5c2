// `npm test`: runs vitest (arguments pass through, e.g. `npm test -- test/scm`) with its JSON
// reporter beside the default one, then prints the plain closing line CI reads,
// "Tests: N passed, N failed", built from that report's counts (scripts/test-summary.mjs).
// When the output is not a terminal (CI logs), vitest's own summary lines ("Test Files  N passed",
// "Tests  N passed (N)") are renamed on their way through ("Files (vitest)", "Cases (vitest)"), so the
// closing line is the only line of the log that starts with "Tests".
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { testSummary } from './test-summary.mjs';

const REPORT = 'test-output/vitest.json';
const require = createRequire(import.meta.url);
const vitestPackage = require.resolve('vitest/package.json');
const vitest = join(dirname(vitestPackage), require(vitestPackage).bin.vitest);
rmSync(REPORT, { force: true }); // a stale report must not stand in for a run that wrote none

const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${REPORT}`,
  ...process.argv.slice(2),
];
const tty = process.stdout.isTTY === true;
const child = spawn(process.execPath, args, {
  stdio: ['inherit', tty ? 'inherit' : 'pipe', tty ? 'inherit' : 'pipe'],
  // piped: plain text, so the summary lines can be recognised and read as they are in a log
  env: tty ? process.env : { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});

const rename = (line) =>
  line.replace(/^( *)Test Files {2}/, '$1Files (vitest)  ').replace(/^( *)Tests {2}/, '$1Cases (vitest)  ');
const relay = (from, to) =>
  new Promise((resolve) => {
    if (!from) return resolve();
    const lines = createInterface({ input: from, crlfDelay: Infinity });
    lines.on('line', (line) => to.write(`${rename(line)}\n`));
    lines.on('close', resolve);
  });
const relayed = Promise.all([relay(child.stdout, process.stdout), relay(child.stderr, process.stderr)]);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));

const [code] = await Promise.all([
  new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig ? 1 : 0)))),
  relayed,
]);
const summary = testSummary(REPORT);
if (summary.error) console.error(`npm test: ${summary.error}`);
// stderr first, so the closing line is last however the two streams are captured
process.stdout.write(`${summary.line}\n`);
process.exitCode = code !== 0 ? code : summary.ok ? 0 : 1;
