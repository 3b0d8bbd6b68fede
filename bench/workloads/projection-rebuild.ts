import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { generate } from '../support/generate-ledger';
import { interleaved } from '../support/rounds';
import { round } from '../support/stats';
import { Figure, Workload } from '../workload';

interface Pass {
  ms: number;
  rate: number;
  cpuPerEvent: number;
}

/**
 * Full rebuild of every projection from a generated embedded ledger, through the same path the service uses at
 * start-up (the store's subscribeToAll -> ProjectionRunner -> ViewStore.apply), at two sizes (and 10M with
 * BENCH_SCALE=10m) to show the growth. The same-run limit, interleaved round by round: the single-thread floor of
 * any rebuild, better-sqlite3 paging through the same rows in raw mode (as the store reads) and JSON.parse of each
 * event's data (the rebuild never parses metadata, so neither does the floor).
 */
export const projectionRebuild: Workload = {
  name: 'projection-rebuild',
  description: 'rebuild every projection from a generated embedded ledger (100k and 1M events; 10M with BENCH_SCALE=10m), vs a raw read + JSON.parse floor',
  async run(ctx) {
    const sizes = ctx.quick ? [10_000, 100_000] : [100_000, 1_000_000, ...(ctx.scale10m ? [10_000_000] : [])];
    const figures: Figure[] = [];
    const notes: Record<string, unknown> = { sizes };
    for (const size of sizes) {
      const at = `${size.toLocaleString('en-US')} events`;
      const file = join(ctx.scratchDir, `events-${size}.db`);
      const t0 = Date.now();
      const store = new SqliteEventStore({ file });
      const generated = await generate(store, size, ctx.log);
      const head = await store.headPosition();
      ctx.log(`${at}: generated (${generated.consents.toLocaleString()} consents, ${generated.tokens.toLocaleString()} tokens) in ${Date.now() - t0} ms`);
      const { load: loads, by } = await interleaved(ctx.rounds, ['floor', 'rebuild'] as const, async (step, r) => {
        const pass = step === 'floor' ? floor(file) : await rebuild(store, head, join(ctx.scratchDir, `views-${size}-${r}.db`), ctx.log);
        ctx.log(`${at}: ${step} ${Math.round(pass.rate).toLocaleString('en-US')} events/s (${pass.ms} ms)`);
        return pass;
      }, ctx.log);
      await store.close();
      const pick = (xs: Pass[], f: (p: Pass) => number, digits = 0) => xs.map((p) => round(f(p), digits));
      const name = 'raw read + JSON.parse, one thread';
      figures.push(
        { name: `rebuild rate, ${at}`, unit: 'events/s', ledger: pick(by.rebuild, (p) => p.rate), limit: { name, values: pick(by.floor, (p) => p.rate) }, ratio: '%', target: { of: 'ratio', value: 100, higher: true }, load: loads },
        { name: `rebuild time, ${at}`, unit: 's', ledger: pick(by.rebuild, (p) => p.ms / 1000, 2), limit: { name, values: pick(by.floor, (p) => p.ms / 1000, 2) }, ratio: 'x', load: loads },
        { name: `CPU per event, ${at}`, unit: 'µs', ledger: pick(by.rebuild, (p) => p.cpuPerEvent * 1000, 2), limit: { name, values: pick(by.floor, (p) => p.cpuPerEvent * 1000, 2) }, ratio: 'x', load: loads },
      );
      notes[`events${size}`] = { ...generated, events: head + 1, rounds: by };
    }
    return {
      workload: 'projection-rebuild',
      shape:
        'one thread, in the bench process, no load generator; rounds (floor, rebuild) over the same file, each rebuild into a fresh views file; ' +
        'CPU: this process\'s process.cpuUsage around each pass; caught up includes re-creating the deferred indexes',
      figures,
      notes,
    };
  },
};

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function rebuild(store: SqliteEventStore, head: number, viewsFile: string, log: (m: string) => void): Promise<Pass> {
  const views = new ViewStore(viewsFile);
  const runner = new ProjectionRunner(store, views, { onError: (e) => log(`projection error: ${e.message}`) });
  const cpu0 = cpuMs();
  const t0 = performance.now();
  runner.start();
  await runner.waitFor(head, 60 * 60_000);
  // Caught up includes re-creating the secondary indexes a rebuild from 0 defers (ViewStore.startRebuild).
  while (!runner.status().caughtUp) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0;
  const cpu = cpuMs() - cpu0;
  await runner.stop();
  log(`active tokens in the rebuilt view: ${views.tokens.activeTokenCount().toLocaleString('en-US')}`);
  views.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(viewsFile + suffix, { force: true });
  return { ms: Math.round(ms), rate: (head + 1) / (ms / 1000), cpuPerEvent: cpu / (head + 1) };
}

/** The floor any rebuild pays: read every row and parse its data. */
function floor(file: string): Pass {
  const db = new Database(file, { readonly: true });
  const page = db.prepare<[number, number], [number, string, string, number, string, string, string, string]>(
    'SELECT position, id, stream, revision, type, recorded_at, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?',
  ).raw(true);
  const cpu0 = cpuMs();
  const t0 = performance.now();
  let cursor = -1;
  let n = 0;
  for (;;) {
    const rows = page.all(cursor, 10_000);
    if (rows.length === 0) break;
    for (const r of rows) {
      // Kept alive so that the parse cannot be optimised away.
      sink += JSON.parse(r[6]) === null ? 1 : 0;
      n += 1;
    }
    cursor = rows[rows.length - 1][0];
  }
  const ms = performance.now() - t0;
  const cpu = cpuMs() - cpu0;
  db.close();
  return { ms: Math.round(ms), rate: n / (ms / 1000), cpuPerEvent: cpu / n };
}
let sink = 0;
