#!/usr/bin/env node
// The last line of `npm run test:ci`: how many tests ran, in the plain form "N passed, N failed" that CI reads to
// tell a run that tested something from one that exited 0 having run nothing. Stryker's and Schemathesis's own
// summaries come before it and end in tables, which no reader of closing lines recognises, so without this line a
// green run of every suite was taken for a run of no test (stop 20).
//
// It counts jest's tests from the JSON report that `jest --json --outputFile` wrote in the same run, and refuses
// (exit 1) when that report is missing, stale or counts no test, so it can never announce tests that did not run.
import { readFileSync, statSync } from 'node:fs';

const [reportPath = 'reports/jest/results.json', startedAt] = process.argv.slice(2);

function fail(message) {
  console.error(`test:ci summary: ${message}`);
  process.exit(1);
}

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  fail(`no jest report at ${reportPath} (${error.message})`);
}
// A report left by an earlier run must not stand in for this one.
if (startedAt !== undefined && statSync(reportPath).mtimeMs < Number(startedAt) * 1000) {
  fail(`${reportPath} is older than this run`);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (passed + failed === 0) fail('jest ran no test');
console.log(`jest: ${report.numTotalTestSuites} suites`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || report.success === false) process.exit(1);
