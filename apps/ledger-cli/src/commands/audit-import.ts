import { createInterface } from 'node:readline';
import { eventFromNdjson, NdjsonError } from '@ledger/audit';
import { EventStore, SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { CliCommand, CliIo, EXIT } from '../cli-command';
import { progressBar } from '../progress-bar';

/** `ledger audit import < ledger.ndjson`: loads an export into an EMPTY store. */
export const auditImport: CliCommand = {
  prepare(v) {
    return (store, io) => importFrom(store, io, !v.quiet);
  },
  createsStore: true,
};

async function importFrom(store: EventStore, io: CliIo, progress: boolean): Promise<number> {
  if ((await store.headPosition()) !== -1) {
    io.stderr.write('ledger: refusing to import: the target store is not empty (import only into an empty store)\n');
    return EXIT.store;
  }
  const sqlite = store instanceof SqliteEventStore ? store : undefined;
  if (!sqlite) io.stderr.write('ledger: note: EventStoreDB assigns its own recorded times; recordedAt is not preserved on import\n');
  const bar = progressBar(io, progress, 'import', 0);
  let batch: StoredEvent[] = [];
  let line = 0;
  let count = 0;
  let lastPosition = -1;
  const write = async () => {
    if (batch.length === 0) return;
    if (sqlite) sqlite.importEvents(batch);
    else await appendRuns(store, batch);
    count += batch.length;
    bar.update(count);
    batch = [];
  };
  for await (const text of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    const e = eventFromNdjson(text, line);
    if (e.position <= lastPosition) throw new NdjsonError(line, `position ${e.position} does not follow ${lastPosition}: the export is not in log order`);
    lastPosition = e.position;
    batch.push(e);
    if (batch.length >= 10_000) await write();
  }
  await write();
  bar.done();
  io.stderr.write(`imported ${count} events; run "ledger audit verify" to check the chain\n`);
  return EXIT.ok;
}

/** Through the port: consecutive events of one stream go in one append, checked against their revision. */
async function appendRuns(store: EventStore, events: StoredEvent[]): Promise<void> {
  for (let i = 0; i < events.length; ) {
    let j = i + 1;
    while (j < events.length && events[j].stream === events[i].stream && events[j].revision === events[j - 1].revision + 1) j++;
    const run = events.slice(i, j);
    const first = run[0].revision;
    await store.append(
      run[0].stream,
      run.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
      { expectedRevision: first === 0 ? 'no_stream' : first - 1 },
    );
    i = j;
  }
}
