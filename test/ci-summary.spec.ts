// scripts/ci/summary.mjs prints the closing line by which CI tells a run that tested something from one that ran
// nothing. These cases pin its form and its refusals: a summary that could announce tests that did not run would
// hide exactly the failure it exists to show.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'scripts', 'ci', 'summary.mjs');
// CI's reader: "N passed, N failed" alone on a line, ", N skipped" may follow, one word and a colon may lead.
const CLOSING_LINE = /^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?$/;

function report(counts: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ci-summary-')), 'results.json');
  writeFileSync(path, JSON.stringify(counts));
  return path;
}

describe('the test:ci summary line', () => {
  it('closes a run with the counts of the jest report, in the plain form CI reads', () => {
    const path = report({ numTotalTestSuites: 3, numPassedTests: 41, numFailedTests: 0, numPendingTests: 2, numTodoTests: 1, success: true });
    const lines = execFileSync('node', [SCRIPT, path], { encoding: 'utf8' }).trim().split('\n');
    expect(lines.at(-1)).toBe('tests: 41 passed, 0 failed, 3 skipped');
    expect(lines.at(-1)).toMatch(CLOSING_LINE);
  });

  it.each([
    ['a report that counts no test', { numTotalTestSuites: 0, numPassedTests: 0, numFailedTests: 0, success: true }, 'jest ran no test'],
    ['a report with failures', { numTotalTestSuites: 1, numPassedTests: 1, numFailedTests: 1, success: false }, ''],
  ])('fails on %s', (_name, counts, message) => {
    const run = spawnSync('node', [SCRIPT, report(counts)], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it('fails when the report is missing, rather than printing a count', () => {
    const run = spawnSync('node', [SCRIPT, join(tmpdir(), 'no-such-dir', 'results.json')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/passed/);
  });

  it('fails on a report older than the run, left by an earlier one', () => {
    const path = report({ numTotalTestSuites: 1, numPassedTests: 5, numFailedTests: 0, success: true });
    utimesSync(path, new Date('2020-01-01'), new Date('2020-01-01'));
    const run = spawnSync('node', [SCRIPT, path, String(Math.floor(Date.now() / 1000))], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('older than this run');
  });
});
