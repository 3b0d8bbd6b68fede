/**
 * The durable-append limit: better-sqlite3 appending the ledger's own events (copied from its events.db) with the
 * same group commit as the embedded store, and no HTTP, no Nest, no decider, no hash chain, no views. Per append,
 * the statements GroupCommitWriter runs (stream head, id lookup, insert, from the store's own schema module); every
 * append queued in one event-loop turn in ONE IMMEDIATE transaction with a savepoint each; the WAL fdatasynced on
 * libuv's thread pool, one sync in flight, covering every batch committed before it; an append is acknowledged when
 * its sync completes. `concurrency` closed-loop appenders, as many as the load generator's connections.
 *   argv: <events.db of its own>
 *   request: { run: { durationS, concurrency, event: { type, data, metadata } } } -> { appends, perSecond, p99 }
 */
import { randomUUID } from 'node:crypto';
import { fdatasync, openSync } from 'node:fs';
import { openEventDatabase, prepareEventStatements } from '@ledger/event-store/sqlite/sqlite-schema';
import { serveParent } from './limit-process';
import { quantile } from './stats';

interface Template {
  type: string;
  data: unknown;
  metadata: unknown;
}

const [file] = process.argv.slice(2);
const db = openEventDatabase(file);
const stmt = prepareEventStatements(db);
const walFd = openSync(`${file}-wal`, 'r');
const recordedAtOf = db.prepare<[number], { recorded_at: string }>('SELECT recorded_at FROM events WHERE position = ?');
let head = -1;
let streams = 0;

interface Pending {
  event: Template;
  done(): void;
}
let queue: Pending[] = [];
let awaiting: Array<() => void> = [];
let syncing = false;

function flush(): void {
  const batch = queue;
  queue = [];
  if (batch.length === 0) return;
  const one = db.transaction((p: Pending) => {
    const stream = `floor-${++streams}`;
    const id = randomUUID();
    if (stmt.streamHead.get(stream)?.revision != null || stmt.byId.get(id)) throw new Error('not a new stream');
    stmt.insert.run(++head, id, stream, 0, p.event.type, new Date().toISOString(), JSON.stringify(p.event.data), JSON.stringify(p.event.metadata));
  });
  // As the store does under the write lock: re-read the head and its recordedAt, then one savepoint per append.
  db.transaction(() => {
    head = stmt.head.get()?.position ?? -1;
    if (head >= 0) recordedAtOf.get(head);
    for (const p of batch) one(p);
  }).immediate();
  awaiting.push(() => batch.forEach((p) => p.done()));
  sync();
}

function sync(): void {
  if (syncing || awaiting.length === 0) return;
  syncing = true;
  const covered = awaiting;
  awaiting = [];
  fdatasync(walFd, (error) => {
    if (error) throw error;
    syncing = false;
    covered.forEach((settle) => settle());
    sync();
  });
}

function append(event: Template): Promise<void> {
  return new Promise((done) => {
    if (queue.push({ event, done }) === 1) setImmediate(flush);
  });
}

async function run(durationS: number, concurrency: number, event: Template) {
  const latencies: number[] = [];
  const end = performance.now() + durationS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await append(event);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { appends: latencies.length, perSecond: latencies.length / seconds, p99: quantile(latencies, 0.99) };
}

serveParent({}, (m) => {
  const r = (m as { run?: { durationS: number; concurrency: number; event: Template } }).run;
  if (!r) throw new Error('unknown request');
  return run(r.durationS, r.concurrency, r.event);
});
