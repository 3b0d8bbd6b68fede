/**
 * Summarises a sampling heap profile (bench/profile/heap-sample.js): how much was allocated in all, and the share
 * of it allocated by each function itself and inside each function (its callees included).
 *
 *   node bench/profile/summarize-heapprofile.js FILE [rows=30]
 */
const { readFileSync } = require('node:fs');

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarize-heapprofile.js FILE [rows]');
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const name = ({ functionName, url, lineNumber }) => `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`;
const self = new Map();
const inclusive = new Map();
let total = 0;
const walk = (node, above) => {
  const here = name(node.callFrame);
  total += node.selfSize;
  self.set(here, (self.get(here) ?? 0) + node.selfSize);
  // A recursive function counts once per allocation.
  const chain = new Set(above).add(here);
  for (const fn of chain) inclusive.set(fn, (inclusive.get(fn) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child, chain);
};
walk(profile.head, new Set());
const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([fn, bytes]) => `${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${fn}`).join('\n');
process.stdout.write(`${(total / 1e6).toFixed(1)} MB sampled\n--- self\n${top(self)}\n--- inclusive\n${top(inclusive)}\n`);
