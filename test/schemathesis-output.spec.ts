// Schemathesis's summary is framed like pytest's, and CI reads a pytest closing line that counts no passed test as a
// run that executed no test: that is how stops 20 and 21 landed as "ran no test" although 1,588 jest tests passed.
// scripts/schemathesis/plain-banners.mjs unframes those banners; these cases pin that it does, and that run.sh prints
// nothing of Schemathesis's output except through it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', 'scripts', 'schemathesis');
// pytest's closing line, as a reader of closing lines knows it: "==== 3 warnings in 58.55s ====".
const PYTEST_CLOSING = /^=+ .* in [\d.]+s( \(.*\))? =+$/;

// The tail of a real run as admin (Schemathesis 4.32.5), banners included.
const RUN_TAIL = [
  '=================================== SUMMARY ====================================',
  '',
  'Test cases:',
  '  2595 generated, 2595 passed, 68 skipped',
  '',
  'Seed: 20260101',
  '',
  '============================= 3 warnings in 58.55s =============================',
  '========================== No issues found in 12.10s ===========================',
];

const filter = (text: string) => execFileSync('node', [join(DIR, 'plain-banners.mjs')], { input: text, encoding: 'utf8' });

describe("Schemathesis's output as test:ci prints it", () => {
  it('has no line that reads as a pytest closing line', () => {
    expect(RUN_TAIL.filter((line) => PYTEST_CLOSING.test(line))).toHaveLength(2);
    const out = filter(RUN_TAIL.join('\n') + '\n').split('\n');
    expect(out.filter((line) => PYTEST_CLOSING.test(line))).toEqual([]);
    expect(out).toContain('--- 3 warnings in 58.55s ---');
    expect(out).toContain('--- SUMMARY ---');
  });

  it('keeps every other line as it was, in order', () => {
    const out = filter(RUN_TAIL.join('\n') + '\n').split('\n');
    expect(out.slice(1, 7)).toEqual(RUN_TAIL.slice(1, 7));
    expect(out).toHaveLength(RUN_TAIL.length + 1);
  });

  it('is the only way run.sh prints what Schemathesis wrote', () => {
    const printing = readFileSync(join(DIR, 'run.sh'), 'utf8')
      .split('\n')
      .filter((line) => /\b(cat|sed|tail|head)\b.*schemathesis-\$role\.txt/.test(line) || /<"\$work\/schemathesis-\$role\.txt"/.test(line));
    expect(printing.length).toBeGreaterThanOrEqual(2);
    for (const line of printing) expect(line).toContain('plain_banners');
  });
});
