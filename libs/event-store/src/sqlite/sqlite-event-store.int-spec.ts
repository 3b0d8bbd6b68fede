import { fdatasync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@ledger/testing';
import { testEventStore } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

testEventStore('SQLite (embedded default)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 50 });
  return {
    store,
    checkpoints: store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite event store specifics', () => {
  it('keeps the global position gap-free across failed appends and survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
    const file = join(dir, 'events.db');
    const meta = { actor: 't', correlationId: 'c' };
    let store = new SqliteEventStore({ file });
    await store.append('s-1', [{ type: 'A', data: {}, metadata: meta }], { expectedRevision: 'no_stream' });
    await Promise.allSettled([
      store.append('s-1', [{ type: 'B', data: {}, metadata: meta }], { expectedRevision: 'no_stream' }),
      store.append('s-2', [{ type: 'C', data: {}, metadata: meta }], { expectedRevision: 'no_stream' }),
    ]);
    await store.close();
    store = new SqliteEventStore({ file });
    await store.append('s-3', [{ type: 'D', data: {}, metadata: meta }], { expectedRevision: 'no_stream' });
    const positions: number[] = [];
    for await (const e of store.readAll()) positions.push(e.position);
    expect(positions).toEqual([0, 1, 2]);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('SQLite event store: durability before visibility', () => {
  const meta = { actor: 't', correlationId: 'c' };

  it('acknowledges an append, and shows it to reads and subscriptions, only once the WAL sync covering it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
    const held: Array<() => void> = [];
    const store = new SqliteEventStore({
      file: join(dir, 'events.db'),
      fdatasync: (fd, done) => held.push(() => fdatasync(fd, done)),
    });
    const seen: number[] = [];
    const sub = store.subscribeToAll({}, { onEvents: async (events) => void seen.push(...events.map((e) => e.position)) });
    let acknowledged = false;
    const append = store.append('s-1', [{ type: 'A', data: {}, metadata: meta }], { expectedRevision: 'no_stream' }).then((r) => {
      acknowledged = true;
      return r;
    });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    // Committed to the WAL but not yet synced: invisible and unacknowledged.
    await new Promise((r) => setTimeout(r, 50));
    expect(acknowledged).toBe(false);
    expect(seen).toEqual([]);
    expect(await store.readStream('s-1')).toEqual([]);
    expect(await store.headPosition()).toBe(-1);
    // A second append committed while the first sync is in flight waits for a sync of its own.
    const second = store.append('s-2', [{ type: 'B', data: {}, metadata: meta }], { expectedRevision: 'no_stream' });
    held.shift()!();
    expect((await append).position).toBe(0);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    while (seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([0]);
    expect((await store.readStream('s-2')).length).toBe(0);
    held.shift()!();
    expect((await second).position).toBe(1);
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([0, 1]);
    await sub.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints the log from a worker thread, never inside a commit: committed pages reach the file with no further commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
    const file = join(dir, 'events.db');
    const store = new SqliteEventStore({ file });
    const empty = statSync(file).size;
    const data = { note: 'x'.repeat(3000) };
    // A few hundred WAL pages: below SQLite's 1,000-page automatic checkpoint, which would only run inside a commit.
    for (let i = 0; i < 100; i++) await store.append(`s-${i}`, [{ type: 'A', data, metadata: meta }], { expectedRevision: 'no_stream' });
    await waitUntil(() => statSync(file).size > empty + 300_000, { what: 'the committed pages copied into events.db' });
    expect((await store.readStream('s-99'))[0].data).toEqual(data);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses further appends after a failed sync, fails the appends it covered, and reports itself down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
    const store = new SqliteEventStore({
      file: join(dir, 'events.db'),
      fdatasync: (_fd, done) => done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })),
    });
    await expect(store.append('s-1', [{ type: 'A', data: {}, metadata: meta }], { expectedRevision: 'any' })).rejects.toThrow(/could not be synced/);
    await expect(store.append('s-2', [{ type: 'A', data: {}, metadata: meta }], { expectedRevision: 'any' })).rejects.toThrow(/failed disk sync/);
    // What /health/ready asks the store: it now reports the store down.
    await expect(store.headPosition()).rejects.toThrow(/failed disk sync/);
    expect(await store.readStream('s-1')).toEqual([]);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
