import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedVersionError } from '../event-store.errors';
import { SqliteEventStore } from './sqlite-event-store';

/** The explicit import path `ledger audit import` uses: below the port, embedded store only. */
describe('SqliteEventStore.importEvents', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-import-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const event = (stream: string, revision: number, id: string, recordedAt = '2020-02-02T02:02:02.002Z') => ({
    id,
    stream,
    revision,
    type: 'Something',
    recordedAt,
    data: { n: revision },
    metadata: { actor: 'a', correlationId: 'c', chain: 'f'.repeat(64) },
  });

  it('keeps ids, streams, revisions, data, metadata and recordedAt, and assigns gap-free positions', async () => {
    store.importEvents([event('s-1', 0, 'a'), event('s-2', 0, 'b', '2021-01-01T00:00:00.000Z')]);
    store.importEvents([event('s-1', 1, 'c')]);
    const all = [];
    for await (const e of store.readAll()) all.push(e);
    expect(all).toEqual([
      { ...event('s-1', 0, 'a'), position: 0 },
      { ...event('s-2', 0, 'b', '2021-01-01T00:00:00.000Z'), position: 1 },
      { ...event('s-1', 1, 'c'), position: 2 },
    ]);
    // Ordinary appends continue after the imported events.
    expect(await store.append('s-1', [{ type: 'Next', data: {}, metadata: { actor: 'a', correlationId: 'c' } }], { expectedRevision: 1 })).toEqual({ nextRevision: 2, position: 3 });
  });

  it('refuses an event that does not continue its stream, and writes nothing of that batch', async () => {
    store.importEvents([event('s-1', 0, 'a')]);
    expect(() => store.importEvents([event('s-1', 1, 'b'), event('s-1', 3, 'c')])).toThrow(WrongExpectedVersionError);
    expect(await store.headPosition()).toBe(0);
    expect(() => store.importEvents([event('s-2', 1, 'd')])).toThrow(WrongExpectedVersionError);
    expect((await store.readStream('s-1')).map((e) => e.id)).toEqual(['a']);
  });
});
