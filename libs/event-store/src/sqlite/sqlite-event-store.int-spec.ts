import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
