/**
 * npm run bench: runs every workload (or those named: `npm run bench -- introspection commands`) against the real,
 * built service on this machine, prints a table and writes the figures to bench/results.json.
 * BENCH_QUICK=1 scales every workload down for a smoke run.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchContext, Workload, WorkloadResult } from './workload';
import { introspection } from './workloads/introspection';
import { commands } from './workloads/commands';

const root = join(__dirname, '..');

async function loadOptional(path: string, name: string): Promise<Workload | undefined> {
  try {
    return (await import(path))[name] as Workload;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function main() {
  const all: Workload[] = [introspection, commands];
  for (const [path, name] of [
    ['./workloads/revocation-propagation', 'revocationPropagation'],
    ['./workloads/projection-rebuild', 'projectionRebuild'],
    ['./workloads/cross-instance-revocation', 'crossInstanceRevocation'],
    ['./workloads/sse-fan-out', 'sseFanOut'],
  ] as const) {
    const w = await loadOptional(path, name);
    if (w) all.push(w);
  }
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? all.filter((w) => wanted.includes(w.name)) : all;
  const quick = process.env.BENCH_QUICK === '1';
  const commit = safe(() => execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim()) ?? 'unknown';
  const results: WorkloadResult[] = [];
  for (const workload of selected) {
    const scratchDir = mkdtempSync(join(tmpdir(), `bench-${workload.name}-`));
    const ctx: BenchContext = { scratchDir, root, quick, log: (m) => process.stderr.write(`[${workload.name}] ${m}\n`) };
    ctx.log(workload.description);
    try {
      results.push(await workload.run(ctx));
    } catch (error) {
      ctx.log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ workload: workload.name, figures: [], notes: { error: String(error) } });
    } finally {
      rmSync(scratchDir, { recursive: true, force: true });
    }
  }
  printTable(results);
  mkdirSync(join(root, 'bench'), { recursive: true });
  const file = join(root, 'bench', 'results.json');
  writeFileSync(file, JSON.stringify({ commit, at: new Date().toISOString(), quick, machine: machine(), results }, null, 2) + '\n');
  process.stderr.write(`figures written to ${file}\n`);
  if (results.some((r) => r.notes?.error)) process.exitCode = 1;
}

function printTable(results: WorkloadResult[]) {
  const rows = [['workload', 'figure', 'value', 'target', 'met']];
  for (const r of results) {
    for (const f of r.figures) {
      const target = f.target ? `${f.target.higher ? '≥' : '≤'} ${fmt(f.target.value)} ${f.unit}` : '';
      const met = f.target ? ((f.target.higher ? f.value >= f.target.value : f.value <= f.target.value) ? 'yes' : 'NO') : '';
      rows.push([r.workload, f.name, `${fmt(f.value)} ${f.unit}`, target, met]);
    }
    if (r.notes?.error) rows.push([r.workload, 'error', String(r.notes.error).slice(0, 60), '', 'NO']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const [i, row] of rows.entries()) {
    process.stdout.write(row.map((c, j) => c.padEnd(widths[j])).join('  ') + '\n');
    if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const safe = <T>(f: () => T) => {
  try {
    return f();
  } catch {
    return undefined;
  }
};
function machine() {
  const os = require('node:os') as typeof import('node:os');
  return { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
