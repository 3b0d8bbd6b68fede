#!/usr/bin/env node
// A filter (stdin to stdout) for the Schemathesis output that scripts/schemathesis/run.sh prints. Schemathesis frames
// its summary as pytest does ("===== 3 warnings in 58.55s ====="), and CI reads the closing lines of known runners:
// to it that line is pytest closing on no test executed, so a green run of 1,588 jest tests was recorded as one
// that ran no test (stops 20 and 21). The banners become plain headings ("--- 3 warnings in 58.55s ---"); every
// other line, and the words of the banners, pass through unchanged.
import { createInterface } from 'node:readline';

const BANNER = /^=+ (.*?) =+$/;

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  process.stdout.write(`${line.replace(BANNER, '--- $1 ---')}\n`);
}
