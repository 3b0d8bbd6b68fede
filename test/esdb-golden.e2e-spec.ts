/**
 * Old data keeps working on the EventStoreDB adapter too (issue #17: "on both store adapters, where that applies").
 * Each golden directory's log (its export: ids, streams, revisions, types, data, metadata with the chain links, and
 * the times they were recorded at) is appended through the EventStoreDB adapter to the wire-level test server, as a
 * migration from the embedded store would carry it, and the current code is started on it with the directory's
 * node.db (its idempotency records) and token key. It must give the answers golden.e2e-spec.ts checks on SQLite.
 *
 * What differs by design is the log position: integers from 0 on SQLite, byte offsets on EventStoreDB. Positions in
 * the expected answers and the export are translated through the event ids (the same event at its position here);
 * every other member must be as it was.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import { EventStore, StoredEvent } from '@ledger/event-store';
import { createEsdbEventStore } from '@ledger/event-store/esdb/esdb-event-store';
import { startEsdbTestServer, EsdbTestServer } from './support/esdb-test-server';
import { RunningLedger } from './support/ledger-app';
import { ask, EXPORT_FILE, exportText, introspect } from './golden/golden-answers';
import { goldenDirs, goldenLedger } from './golden/golden-ledger';

const parseExport = (text: string): StoredEvent[] =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as StoredEvent);

/**
 * A copy of `value` with every `position` member replaced through `map`; -1 (an as-of before the first event) is the
 * same on both stores. Any other unknown position is a failure.
 */
function withPositions<T>(value: T, map: Map<number, number>): T {
  if (Array.isArray(value)) return value.map((v) => withPositions(v, map)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'position' && typeof v === 'number' && v !== -1) {
      const mapped = map.get(v);
      if (mapped === undefined) throw new Error(`golden position ${v} names no event of the log`);
      out[key] = mapped;
    } else out[key] = withPositions(v, map);
  }
  return out as T;
}

it('there is at least one golden directory', () => {
  expect(goldenDirs.length).toBeGreaterThan(0);
});

describe.each(goldenDirs)('golden directory %s, migrated to EventStoreDB', (name) => {
  let server: EsdbTestServer;
  // Since sealing, its subject key store and KEK (outside the data directory) come with it, as a migration keeps them
  // (goldenLedger copies them).
  const run = goldenLedger(name, {
    async setUp({ expected }) {
      // Each event is stamped with the time it was recorded at in the golden directory, as a migration keeps it.
      let clock = 0;
      server = await startEsdbTestServer({ now: () => clock });
      const store = createEsdbEventStore(server.connectionString);
      try {
        for (const e of golden) {
          clock = Date.parse(e.recordedAt);
          await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], {
            expectedRevision: e.revision === 0 ? 'no_stream' : e.revision - 1,
          });
        }
      } finally {
        await store.close();
      }
      clock = expected.clockMs;
      return { EVENTSTORE_CONNECTION_STRING: server.connectionString };
    },
    // The log now lives in EventStoreDB; node.db (idempotency records) stays the node's own.
    prepare: (copyDir) => rmSync(join(copyDir, 'events.db')),
    tearDown: async () => server?.stop(),
  });
  const { dir, expected } = run;
  const golden = parseExport(readFileSync(join(dir, EXPORT_FILE), 'utf8'));
  let ledger: RunningLedger;
  let raw: Map<string, string>;
  /** Golden (SQLite) position -> the same event's position on EventStoreDB. */
  let positions: Map<number, number>;

  beforeAll(() => {
    ({ ledger, raw } = run);
    const byId = new Map(run.events.map((e) => [e.id, e.position]));
    positions = new Map(golden.map((e) => [e.position, byId.get(e.id) ?? -1]));
  });

  it('holds the whole golden log, in the same order, on EventStoreDB', async () => {
    const events = await ledger.events();
    expect(events.map((e) => e.id)).toEqual(golden.map((e) => e.id));
    // Byte offsets, not the golden integers: the translation below is not an identity.
    expect(events.some((e, i) => e.position !== golden[i].position)).toBe(true);
  });

  it('verifies: the same chain, to the same head', async () => {
    // The log as stored: the chain covers sealed fields as they are (docs/privacy.md).
    const result = await verifyLedger(ledger.app.get<EventStore>(STORED_EVENT_STORE).readAll(), { gapFreePositions: false });
    expect(result.problems).toEqual([]);
    expect({ ok: result.ok, checked: result.checked, streams: result.streams, head: result.head }).toEqual(withPositions(expected.verify, positions));
  });

  it('exports the same events, their positions aside', async () => {
    // The events' own positions only: positions recorded inside an event's data (an SSF acknowledgement's) are data,
    // carried as they were.
    expect(parseExport(await exportText(ledger))).toEqual(golden.map((e) => ({ ...e, position: positions.get(e.position) })));
  });

  it('introspects every golden token as it did', async () => {
    for (const t of expected.tokens) expect({ [t.name]: await introspect(ledger, raw.get(t.name)!) }).toMatchObject({ [t.name]: expected.introspections[t.name] });
    const actives = Object.values(expected.introspections).map((a) => (a as { body: { active: boolean } }).body.active);
    expect(actives).toContain(true);
    expect(actives).toContain(false);
  });

  it('answers every question as it did: lists, clients, secrets, consents, history, as-of', async () => {
    // An SSF poll's pending SETs rest on the positions the stream's acknowledgements recorded on SQLite, which this
    // migration does not translate (GoldenQuestion.storeBound): asked on SQLite only (golden.e2e-spec.ts).
    for (const q of expected.questions.filter((q) => !q.storeBound)) {
      expect({ [q.name]: await ask(ledger, q) }).toMatchObject({ [q.name]: withPositions(expected.answers[q.name], positions) });
    }
  });
});
