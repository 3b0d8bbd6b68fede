import { existsSync, mkdtempSync, rmSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import { ViewStore } from './view-store';

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
let position = 0;
/** A consent with 30 long scopes. */
const grant = (i: number): StoredEvent => ({
  id: `e${position}`,
  type: 'ConsentGranted',
  stream: `consent-${i}`,
  revision: 0,
  position: position++,
  recordedAt: at(i),
  data: { consentId: `cns_${i}_1`, userId: `user-${i}`, clientId: 'app', scopes: Array.from({ length: 30 }, (_, s) => `scope:${'x'.repeat(40)}:${s}`), grantedAt: at(i) },
  metadata: { actor: 't', correlationId: 'c' },
});

/**
 * The views' write-ahead log is checkpointed by a worker thread, as the event log's is: SQLite's own checkpoint would
 * run inside the apply transaction that crosses 1,000 WAL pages, on the event loop. A few hundred pages stay below
 * that, so without the worker they reach views.db only with a later commit; with it, on their own.
 */
describe('ViewStore: the views are checkpointed off the event loop', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-view-ckpt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const applyMany = (views: ViewStore, from: number) => {
    for (let i = from; i < from + 60; i++) views.apply([grant(i)]);
  };

  it('once a rebuild from 0 has caught up: committed pages reach views.db with no further commit', async () => {
    const file = join(dir, 'views.db');
    const views = new ViewStore(file);
    expect(views.startRebuild()).toBe(true);
    views.apply([grant(0)]);
    views.finishRebuild();
    const before = statSync(file).size;
    applyMany(views, 1);
    await waitUntil(() => statSync(file).size > before + 100_000, { what: 'the committed view pages copied into views.db' });
    expect(views.consents.consent('cns_60_1')?.userId).toBe('user-60');
    await views.close();
  });

  it('when a start finds views that hold events (no rebuild): the same', async () => {
    const file = join(dir, 'views.db');
    // Written without a rebuild, so without a checkpointer of its own whose last checkpoint could run after the reopen.
    const first = new ViewStore(file);
    first.apply([grant(1000)]);
    await first.close();
    const views = new ViewStore(file);
    expect(views.startRebuild()).toBe(false);
    const before = statSync(file).size;
    applyMany(views, 2000);
    await waitUntil(() => statSync(file).size > before + 100_000, { what: 'the committed view pages copied into views.db' });
    await views.close();
  });

  // The owner's connection must close last, after the worker's last checkpoint. Closed first, it left the worker's
  // close (which then deletes the WAL), or the worker's very open if it had only just started (which creates the
  // WAL and -shm again), to run after close() had returned: under a shutdown that then releases the data directory's
  // lock, or a test's rmSync of the directory, which failed with ENOTEMPTY in CI.
  const caughtUp = (file: string) => {
    const views = new ViewStore(file);
    views.startRebuild();
    views.apply([grant(0)]);
    views.finishRebuild();
    return views;
  };

  it('closing a running checkpointer: once close() resolves, the WAL is folded in and gone', async () => {
    const file = join(dir, 'views.db');
    const views = caughtUp(file);
    const before = statSync(file).size;
    applyMany(views, 3000);
    await waitUntil(() => statSync(file).size > before + 100_000, { what: 'the worker checkpointing, so with its connection open' });
    await views.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-shm`)).toBe(false);
  });

  it('closing a checkpointer that has only just started: nothing in the directory changes after close() resolves', async () => {
    const file = join(dir, 'views.db');
    const views = caughtUp(file);
    const first = views.close();
    // A second close() while the first waits must wait for the same worker, not close the owner's connection first.
    await views.close();
    // Every creation and deletion, whether or not the file is still there when the event is handled: a late open
    // and close of the worker creates the WAL and deletes it again within a millisecond.
    const touched: string[] = [];
    const watcher = watch(dir, (event, name) => touched.push(`${event} ${name}`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    watcher.close();
    expect(touched).toEqual([]);
    await first;
  });
});
