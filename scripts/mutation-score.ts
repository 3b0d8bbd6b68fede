/**
 * `npm run test:mutation`, second half: stryker writes one JSON report for libs/domain and libs/audit together and
 * breaks only below the lower floor; this checks each lib against its own floor (docs/testing.md). Exit 1 below.
 *
 * The score is stryker's: detected (killed or timed out) over valid (detected, survived, no coverage); mutants that
 * do not compile or are ignored count for neither side.
 */
import { readFileSync } from 'node:fs';

const REPORT = 'reports/mutation/mutation.json';
const FLOORS: ReadonlyArray<{ lib: string; floor: number }> = [
  { lib: 'libs/domain/', floor: 90 },
  { lib: 'libs/audit/', floor: 85 },
];

interface Report {
  files: Record<string, { mutants: Array<{ status: string }> }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function scoreOf(report: Report, lib: string): { detected: number; valid: number; score: number } {
  let detected = 0;
  let valid = 0;
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!file.replace(/\\/g, '/').startsWith(lib)) continue;
    for (const { status } of mutants) {
      if (DETECTED.has(status)) detected += 1;
      if (DETECTED.has(status) || UNDETECTED.has(status)) valid += 1;
    }
  }
  return { detected, valid, score: valid === 0 ? 0 : (100 * detected) / valid };
}

function main(): void {
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
  let failed = false;
  for (const { lib, floor } of FLOORS) {
    const { detected, valid, score } = scoreOf(report, lib);
    const ok = valid > 0 && score >= floor;
    failed ||= !ok;
    console.log(`mutation score ${lib.padEnd(13)} ${score.toFixed(2).padStart(6)} % (${detected}/${valid} detected), floor ${floor} %: ${ok ? 'ok' : 'BELOW'}`);
  }
  if (failed) process.exit(1);
}

main();
