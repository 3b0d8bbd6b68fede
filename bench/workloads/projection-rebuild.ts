import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_STREAM_PREFIXES } from '@ledger/domain';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
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
 * event's data. The floor leaves metadata out, as #18 defines it; the rebuild does parse it, since the upcasting
 * reads each event's version there (storedVersion in libs/domain), so the floor is below what any rebuild pays.
 *
 * Information, in the same rounds: the views' own work with the reading and parsing taken out (`viewsOnly`), what
 * stays on the one SQLite writer however many threads read and parse for it. While it takes longer than the
 * floor, no spreading of the read and parse over workers brings the rebuild to the floor.
 */
export const projectionRebuild: Workload = {
  name: 'projection-rebuild',
  description: 'rebuild every projection from a generated embedded ledger (100k and 1M events; 10M with BENCH_SCALE=10m), vs a raw read + JSON.parse floor',
  async run(ctx) {
    const sizes = ctx.quick ? [10_000, 100_000] : ctx.only10m ? [10_000_000] : [100_000, 1_000_000, ...(ctx.scale10m ? [10_000_000] : [])];
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
      const { load: loads, by } = await interleaved(ctx.rounds, ['floor', 'rebuild', 'views'] as const, async (step, r) => {
        const viewsFile = join(ctx.scratchDir, `views-${size}-${r}.db`);
        const pass = step === 'floor' ? floor(file) : step === 'rebuild' ? await rebuild(store, head, viewsFile, ctx.log) : await viewsOnly(store, viewsFile);
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
        { name: `views' own work, read and parse excluded (information), ${at}`, unit: 'events/s', ledger: pick(by.views, (p) => p.rate), limit: { name, values: pick(by.floor, (p) => p.rate) }, ratio: '%', load: loads },
      );
      notes[`events${size}`] = { ...generated, events: head + 1, rounds: by };
    }
    return {
      workload: 'projection-rebuild',
      shape:
        'one thread, in the bench process, no load generator; rounds (floor, rebuild, views only) over the same file, each rebuild into a fresh views file; ' +
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
  await views.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(viewsFile + suffix, { force: true });
  return { ms: Math.round(ms), rate: (head + 1) / (ms / 1000), cpuPerEvent: cpu / (head + 1) };
}

/**
 * The rebuild's path below the store (ViewStore: startRebuild, apply per batch of 10,000, finishRebuild) with each
 * batch read and parsed (metadata too, which the upcasting reads for the event's version) before its clock runs:
 * the upcasting, the view changes, the SQLite writes, the token fold and the deferred indexes.
 */
async function viewsOnly(store: SqliteEventStore, viewsFile: string): Promise<Pass> {
  const views = new ViewStore(viewsFile);
  let ms = 0;
  let cpu = 0;
  let n = 0;
  const timed = (f: () => void) => {
    const cpu0 = cpuMs();
    const t0 = performance.now();
    f();
    ms += performance.now() - t0;
    cpu += cpuMs() - cpu0;
  };
  timed(() => views.startRebuild());
  let batch: StoredEvent[] = [];
  const flush = () => {
    const events = batch;
    batch = [];
    n += events.length;
    if (events.length > 0) timed(() => views.apply(events));
  };
  for await (const e of store.readAll({ filter: { streamPrefixes: [...DOMAIN_STREAM_PREFIXES] } })) {
    void e.metadata;
    batch.push(e);
    if (batch.length === 10_000) flush();
  }
  flush();
  timed(() => views.finishRebuild());
  await views.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(viewsFile + suffix, { force: true });
  return { ms: Math.round(ms), rate: n / (ms / 1000), cpuPerEvent: cpu / n };
}

/** The floor any rebuild pays, and less: read every row and parse its data (not its metadata). */
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
