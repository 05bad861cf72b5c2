// The plain closing line CI reads ("Tests: N passed, N failed[, N skipped]"), from the counts of
// vitest's own JSON reporter. `npm test` (scripts/run-tests.mjs) prints it last; by hand:
// node scripts/test-summary.mjs test-output/vitest.json
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The closing line for a vitest JSON report, and whether the report says every test passed. */
export function testSummary(file = 'test-output/vitest.json') {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    // No report means the runner itself failed: count that as one failure rather than claim a pass.
    return {
      line: 'Tests: 0 passed, 1 failed',
      ok: false,
      error: `cannot read vitest's JSON report ${file}: ${err.message}`,
    };
  }
  const passed = report.numPassedTests ?? 0;
  // A test file that failed as a whole (an import error, a failing hook) has no failed test of its
  // own: count it as one failure. (numFailedTestSuites counts describe blocks, which would count twice.)
  const fileFailures = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  const failed = (report.numFailedTests ?? 0) + fileFailures;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return {
    line: `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
    ok: failed === 0,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { line, ok, error } = testSummary(process.argv[2]);
  if (error) console.error(`test-summary: ${error}`);
  console.log(line);
  process.exitCode = ok ? 0 : 1;
}
