// Prints the plain closing line CI reads ("Tests: N passed, N failed[, N skipped]") from the counts
// of vitest's own JSON reporter. Usage: node scripts/test-summary.mjs test-output/vitest.json
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-output/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`test-summary: cannot read vitest's JSON report ${file}: ${err.message}`);
  // No report means the runner itself failed: count that as one failure rather than claim a pass.
  console.log('Tests: 0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A test file that failed as a whole (an import error, a failing hook) has no failed test of its
// own: count it as one failure. (numFailedTestSuites counts describe blocks, which would count twice.)
const fileFailures = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + fileFailures;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
