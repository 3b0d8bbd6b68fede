/**
 * npm run bench: runs every workload (or those named: `npm run bench -- introspection commands`) against the real,
 * built service on this machine, prints one table and appends the run to the history in bench/results.json.
 * BENCH_QUICK=1 scales every workload down for a smoke run; BENCH_SCALE=10m adds the 10-million points, and
 * BENCH_SCALE=10m-only runs those points alone (each takes half an hour or more). BENCH_ROUNDS sets the interleaved
 * rounds per figure (3 by default, the fewest that give a median and a spread).
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendHistory, printTable, summarise } from './support/report';
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
    ['./workloads/bulk-revocation', 'bulkRevocation'],
    ['./workloads/ssf-push', 'ssfPush'],
  ] as const) {
    const w = await loadOptional(path, name);
    if (w) all.push(w);
  }
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? all.filter((w) => wanted.includes(w.name)) : all;
  const quick = process.env.BENCH_QUICK === '1';
  const only10m = process.env.BENCH_SCALE === '10m-only';
  const scale10m = process.env.BENCH_SCALE === '10m' || only10m;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, not ${process.env.BENCH_ROUNDS}`);
  // A run of uncommitted code says so: its figures belong to no commit.
  const dirty = safe(() => execSync('git status --porcelain -- . ":!bench/results.json"', { cwd: root }).toString().trim() !== '');
  const commit = (safe(() => execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim()) ?? 'unknown') + (dirty ? '+uncommitted' : '');
  const results: WorkloadResult[] = [];
  const record = () => {
    printTable(results, (line) => process.stdout.write(line + '\n'));
    const file = join(root, 'bench', 'results.json');
    // The rounds themselves, and beside them (never over them) the medians and spreads the table printed.
    const figures = (r: WorkloadResult) => r.figures.map((f) => ({ ...f, summary: summarise(f) }));
    const entry = { commit, at: new Date().toISOString(), quick, scale: process.env.BENCH_SCALE ?? 'default', rounds, machine: machine(), results: results.map((r) => ({ ...r, figures: figures(r) })) };
    const runs = appendHistory(file, entry);
    process.stderr.write(`run ${runs} appended to ${file}\n`);
  };
  let current = '';
  // A workload's stray timer or socket that throws outside its promise would end the process with nothing recorded:
  // a full run is half an hour of a shared machine, so the workloads done so far are printed and kept first.
  process.once('uncaughtException', (error) => {
    process.stderr.write(`bench: uncaught in ${current}: ${error.stack ?? String(error)}\n`);
    results.push({ workload: current, shape: 'ended by an uncaught exception', figures: [], notes: { error: String(error) } });
    record();
    process.exit(1);
  });
  for (const workload of selected) {
    current = workload.name;
    const scratchDir = mkdtempSync(join(tmpdir(), `bench-${workload.name}-`));
    const ctx: BenchContext = { scratchDir, root, quick, scale10m, only10m, rounds, log: (m) => process.stderr.write(`[${workload.name}] ${m}\n`) };
    ctx.log(workload.description);
    try {
      results.push(await workload.run(ctx));
    } catch (error) {
      ctx.log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ workload: workload.name, shape: workload.description, figures: [], notes: { error: String(error) } });
    } finally {
      rmSync(scratchDir, { recursive: true, force: true });
    }
  }
  record();
  if (results.some((r) => r.notes?.error)) process.exitCode = 1;
}

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
