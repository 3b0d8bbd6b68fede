import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbTestServer, startEsdbTestServer } from '../../../../test/support/esdb-test-server';
import { createEsdbEventStore, EsdbEventStore } from '../esdb/esdb-event-store';
import { EventStore } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { waitUntil } from '@ledger/testing';
import { LeaderLease, LeaseLossReason } from './leader-lease';
import { LEASE_EVENT_TYPE } from './lease-decision';

/** Opens independent connections to one shared store, as separate ledger instances would. */
interface SharedStore {
  connect(): EventStore;
  cleanup(): Promise<void>;
}

const backends: Array<[string, () => Promise<SharedStore>]> = [
  [
    'SQLite (two connections to one file)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-lease-'));
      const opened: SqliteEventStore[] = [];
      return {
        connect: () => {
          const store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 20 });
          opened.push(store);
          return store;
        },
        cleanup: async () => {
          await Promise.all(opened.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'EventStoreDB adapter on the wire-level test server (one client each)',
    async () => {
      const server: EsdbTestServer = await startEsdbTestServer();
      const opened: EsdbEventStore[] = [];
      return {
        connect: () => {
          const store = createEsdbEventStore(server.connectionString);
          opened.push(store);
          return store;
        },
        cleanup: async () => {
          await Promise.all(opened.map((s) => s.close()));
          await server.stop();
        },
      };
    },
  ],
];

// npm run test:esdb: the same tests against a real EventStoreDB (lease names are unique per test).
const realConnectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (realConnectionString) {
  backends.push([
    `EventStoreDB at ${realConnectionString} (one client each)`,
    async () => {
      const opened: EsdbEventStore[] = [];
      return {
        connect: () => {
          const store = createEsdbEventStore(realConnectionString);
          opened.push(store);
          return store;
        },
        cleanup: async () => {
          await Promise.all(opened.map((s) => s.close()));
        },
      };
    },
  ]);
}

async function lastRevision(store: EventStore, stream: string): Promise<number> {
  const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  return last?.revision ?? -1;
}

/** What the instances did, in one order, and a check that two were never in charge at once. */
class Recorder {
  readonly log: string[] = [];
  private active = new Set<string>();
  overlaps = 0;

  lease(store: EventStore, name: string, id: string, timing = { ttlMs: 3_000, renewIntervalMs: 200, stepDownMarginMs: 1_000 }) {
    return new LeaderLease(store, {
      name,
      holderId: id,
      ...timing,
      onAcquired: (term) => {
        if (this.active.size > 0) this.overlaps++;
        this.active.add(id);
        this.log.push(`${id}+${term}`);
      },
      onLost: (reason: LeaseLossReason) => {
        this.active.delete(id);
        this.log.push(`${id}-${reason}`);
      },
    });
  }

  holders(): string[] {
    return [...this.active];
  }
}

describe.each(backends)('leader lease on %s', (_name, open) => {
  let shared: SharedStore;
  let leases: LeaderLease[];
  const name = () => `test-${randomUUID().slice(0, 8)}`;

  beforeEach(async () => {
    shared = await open();
    leases = [];
  });
  afterEach(async () => {
    await Promise.all(leases.map((l) => l.stop()));
    await shared.cleanup();
  });

  it('gives the lease to exactly one of several contenders, and keeps it there while it renews', async () => {
    const rec = new Recorder();
    const lease = name();
    leases = ['a', 'b', 'c', 'd'].map((id) => rec.lease(shared.connect(), lease, id));
    leases.forEach((l) => l.start());
    await waitUntil(() => rec.holders().length === 1);
    const [holder] = rec.holders();
    // Several renewals later, still the same one, and nobody else ever started.
    const store = shared.connect();
    await waitUntil(async () => ((await lastRevision(store, `ledger-lease-${lease}`)) >= 5));
    expect(rec.holders()).toEqual([holder]);
    expect(rec.log).toEqual([`${holder}+1`]);
    expect(rec.overlaps).toBe(0);
    expect(leases.filter((l) => l.isLeader()).map((l) => l.holderId)).toEqual([holder]);
  });

  it('hands over at once on a graceful stop: the old holder stops before the new one starts', async () => {
    const rec = new Recorder();
    const lease = name();
    // A long ttl: only the release can explain a prompt handover.
    const slow = { ttlMs: 60_000, renewIntervalMs: 100, stepDownMarginMs: 20_000 };
    const a = rec.lease(shared.connect(), lease, 'a', slow);
    leases.push(a);
    a.start();
    await waitUntil(() => a.isLeader());
    const b = rec.lease(shared.connect(), lease, 'b', slow);
    leases.push(b);
    b.start();
    await a.stop();
    await waitUntil(() => b.isLeader());
    expect(rec.log).toEqual(['a+1', 'a-stopping', 'b+2']);
    expect(rec.overlaps).toBe(0);
  });

  it('when the holder can no longer reach the store, it steps down on its own and a contender takes over after the ttl', async () => {
    const rec = new Recorder();
    const lease = name();
    const aStore = shared.connect();
    const a = rec.lease(aStore, lease, 'a');
    leases.push(a);
    a.start();
    await waitUntil(() => a.isLeader());
    const b = rec.lease(shared.connect(), lease, 'b');
    leases.push(b);
    b.start();
    // Cut A off: every read and write it tries from now on fails, as if its host had lost the network.
    await aStore.close();
    await waitUntil(() => b.isLeader());
    // Fencing: A had stopped acting before B started, with no help from B.
    expect(rec.log).toEqual(['a+1', 'a-expired', 'b+2']);
    expect(rec.overlaps).toBe(0);
  });

  it('a holder that finds its lease taken steps down', async () => {
    const rec = new Recorder();
    const lease = name();
    const a = rec.lease(shared.connect(), lease, 'a');
    leases.push(a);
    a.start();
    await waitUntil(() => a.isLeader());
    // Someone writes a newer record behind A's back (an operator, or a contender after a long pause of A).
    const store = shared.connect();
    const [last] = await store.readStream(`ledger-lease-${lease}`, { direction: 'backwards', maxCount: 1 });
    await store.append(
      `ledger-lease-${lease}`,
      [{ type: LEASE_EVENT_TYPE, data: { holder: 'z', term: 99, ttlMs: 60_000, renewIntervalMs: 1_000, released: false }, metadata: { actor: 'test', correlationId: 'x' } }],
      { expectedRevision: last.revision },
    );
    await waitUntil(() => !a.isLeader());
    expect(rec.log).toEqual(['a+1', 'a-taken']);
  });

  it('writes records that no subscription or readAll ever delivers', async () => {
    const rec = new Recorder();
    const store = shared.connect();
    const a = rec.lease(store, name(), 'a');
    leases.push(a);
    a.start();
    await waitUntil(() => a.isLeader());
    // A shared real database is not empty: look for lease records only.
    const delivered = [];
    for await (const e of store.readAll()) if (e.stream === a.stream) delivered.push(e);
    expect(delivered).toEqual([]);
    expect((await store.readStream(a.stream)).length).toBeGreaterThan(0);
  });
});

describe('leader lease on the EventStoreDB adapter', () => {
  it('keeps only the latest record in the stream where the store can ($maxCount 1)', async () => {
    const server = await startEsdbTestServer();
    const store = createEsdbEventStore(server.connectionString);
    const lease = new LeaderLease(store, {
      name: 'retention',
      ttlMs: 600,
      renewIntervalMs: 50,
      stepDownMarginMs: 200,
      retention: store,
      onAcquired: () => undefined,
      onLost: () => undefined,
    });
    try {
      lease.start();
      await waitUntil(async () => (await lastRevision(store, lease.stream)) >= 3);
      const all = await store.readStream(lease.stream);
      expect(all).toHaveLength(1);
      expect(all[0].revision).toBeGreaterThanOrEqual(3);
    } finally {
      await lease.stop();
      await store.close();
      await server.stop();
    }
  });
});
