/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by package and by function, and inclusive time by
 * function, over the last `seconds` of the profile (the load, not the start-up).
 *
 *   node bench/profile/summarize-cpuprofile.js FILE [rows=60] [seconds=all]
 */
const { readFileSync } = require('node:fs');

const [file, rowsArg, secondsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarize-cpuprofile.js FILE [rows] [seconds]');
const rows = Number(rowsArg ?? 60);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const at = [];
let clock = 0;
for (const d of profile.timeDeltas) at.push((clock += d));
const from = secondsArg === undefined ? -Infinity : clock - Number(secondsArg) * 1e6;
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  if (at[i] < from) return;
  total += profile.timeDeltas[i];
  self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]);
});

const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);
const byPackage = new Map();
const byFunction = new Map();
const inclusive = new Map();
for (const [id, t] of self) {
  const { url, functionName, lineNumber } = byId.get(id).callFrame;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? url.split('/dist/')[1].split('/').slice(0, 3).join('/') : url || functionName);
  add(byPackage, pkg, t);
  add(byFunction, `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`, t);
  // Inclusive: once per function along the sample's stack, however often it recurs there.
  const seen = new Set();
  for (let node = id; node !== undefined; node = parent.get(node)) {
    const frame = byId.get(node).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}`;
    if (!seen.has(key)) seen.add(key), add(inclusive, key, t);
  }
}
const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
process.stdout.write(`${(total / 1e6).toFixed(1)} s sampled\n--- self, by package\n${top(byPackage)}\n--- self, by function\n${top(byFunction)}\n--- inclusive\n${top(inclusive)}\n`);
