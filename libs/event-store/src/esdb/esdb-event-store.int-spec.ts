import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbTestServer, EsdbTestServerOptions, startEsdbTestServer } from '../../../../test/support/esdb-test-server';
import { testEventStore, waitUntil } from '../testing/event-store.contract';
import { EventStoreUnavailableError } from '../event-store.errors';
import { EventToAppend, StoredEvent } from '../event-store.port';
import { EsdbEventStore, EsdbEventStoreOptions, createEsdbEventStore } from './esdb-event-store';

/**
 * The port contract on the EventStoreDB adapter: against the wire-level test server always, and against a real
 * EventStoreDB as well when EVENTSTORE_CONNECTION_STRING is set (e.g. esdb://localhost:2113?tls=false). The contract
 * gives every test its own stream prefix, so a shared, non-empty real database is fine.
 */
testEventStore('EventStoreDB adapter on the wire-level test server', async () => {
  const server = await startEsdbTestServer();
  const store = createEsdbEventStore(server.connectionString);
  return {
    store,
    checkpoints: store.checkpoints,
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});

const realConnectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (realConnectionString) {
  testEventStore(`EventStoreDB adapter on ${realConnectionString}`, async () => {
    const store = createEsdbEventStore(realConnectionString);
    return { store, checkpoints: store.checkpoints, cleanup: () => store.close() };
  });
}

const meta = { actor: 'test', correlationId: 'corr', causationId: 'cause' };
const ev = (n: number, type = 'Numbered'): EventToAppend => ({ id: randomUUID(), type, data: { n }, metadata: meta });

describe('EventStoreDB adapter specifics (test server)', () => {
  let server: EsdbTestServer;
  let store: EsdbEventStore;
  const open = async (options?: EsdbEventStoreOptions, serverOptions?: EsdbTestServerOptions) => {
    server = await startEsdbTestServer(serverOptions);
    store = createEsdbEventStore(server.connectionString, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      ...options,
    });
  };
  afterEach(async () => {
    await store.close();
    await server.stop();
  });

  /** Appends, retrying while the client notices the dropped connection and reconnects. */
  async function appendRetrying(stream: string, events: EventToAppend[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await store.append(stream, events, { expectedRevision: 'any' });
        return;
      } catch (error) {
        if (!(error instanceof EventStoreUnavailableError) || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  it('stores correlation and causation under EventStoreDB’s $correlationId / $causationId and maps them back', async () => {
    await open();
    const stream = `meta-${randomUUID()}`;
    await store.append(stream, [ev(1)], { expectedRevision: 'no_stream' });
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    try {
      for await (const resolved of raw.readStream(stream)) {
        expect(resolved.event!.metadata).toEqual({ actor: 'test', $correlationId: 'corr', $causationId: 'cause' });
      }
    } finally {
      await raw.dispose();
    }
    const [stored] = await store.readStream(stream);
    expect(stored.metadata).toEqual(meta);
  });

  it('keeps one checkpoint event per name ($maxCount 1) in a stream of its own, never delivered as an event', async () => {
    await open();
    const cp = store.checkpoints;
    const name = `proj-${randomUUID()}`;
    await cp.save(name, 5);
    await cp.save(name, 9);
    expect(await cp.load(name)).toBe(9);
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    try {
      const events = [];
      for await (const resolved of raw.readStream(`ledger-checkpoint-${name}`)) events.push(resolved.event);
      expect(events).toHaveLength(1);
      expect(await raw.getStreamMetadata(`ledger-checkpoint-${name}`)).toMatchObject({ metadata: { maxCount: 1 } });
    } finally {
      await raw.dispose();
    }
    const all = [];
    for await (const e of store.readAll()) all.push(e);
    expect(all).toEqual([]);
    expect(await store.headPosition()).toBe(-1);
  });

  it('batches what arrives together, up to maxBatchSize, one batch at a time', async () => {
    await open();
    const stream = `batch-${randomUUID()}`;
    await store.append(stream, Array.from({ length: 25 }, (_, i) => ev(i)), { expectedRevision: 'no_stream' });
    const batches: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let caughtUp = false;
    const sub = store.subscribeToAll(
      { maxBatchSize: 10 },
      {
        onEvents: async (events) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          batches.push(events.map((e) => e.data.n as number));
          inFlight--;
        },
        onCaughtUp: () => (caughtUp = true),
      },
    );
    try {
      await waitUntil(() => caughtUp);
      expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
      expect(batches.length).toBeLessThan(25);
      expect(maxInFlight).toBe(1);
    } finally {
      await sub.stop();
    }
  });

  it('stops cleanly while history is still buffered behind a busy handler, and delivers nothing after', async () => {
    await open();
    const stream = `stop-${randomUUID()}`;
    await store.append(stream, Array.from({ length: 300 }, (_, i) => ev(i)), { expectedRevision: 'no_stream' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const sub = store.subscribeToAll(
      { maxBatchSize: 5 },
      {
        onEvents: async () => {
          calls++;
          await gate;
        },
      },
    );
    await waitUntil(() => calls === 1);
    await new Promise((r) => setTimeout(r, 50)); // let the client buffer fill up
    const stopping = sub.stop();
    release();
    await stopping;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
  });

  it('resubscribes after dropped connections from the last delivered position: nothing lost, nothing repeated', async () => {
    await open();
    const stream = `drop-${randomUUID()}`;
    await store.append(stream, Array.from({ length: 200 }, (_, i) => ev(i)), { expectedRevision: 'no_stream' });
    const seen: StoredEvent[] = [];
    let caughtUps = 0;
    const errors: Error[] = [];
    let handled = 0;
    const sub = store.subscribeToAll(
      { maxBatchSize: 7 },
      {
        onEvents: async (events) => {
          seen.push(...events);
          // Cut the connection in the middle of history, while this very batch is being handled.
          if (++handled === 5) await server.dropConnections();
          await new Promise((r) => setImmediate(r));
        },
        onCaughtUp: () => caughtUps++,
        onError: (e) => errors.push(e),
      },
    );
    try {
      await waitUntil(() => seen.length >= 200);
      expect(caughtUps).toBe(1);
      await server.dropConnections();
      await appendRetrying(stream, [ev(200), ev(201)]);
      await waitUntil(() => seen.length >= 202);
      await server.dropConnections();
      await appendRetrying(stream, [ev(202)]);
      await waitUntil(() => seen.length >= 203);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((e) => e.data.n)).toEqual(Array.from({ length: 203 }, (_, i) => i));
      expect(caughtUps).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await sub.stop();
    }
  });

  it('reports the store as failed for good, once, after the reconnect attempts run out', async () => {
    await open({ reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    let caughtUp = false;
    const errors: Error[] = [];
    store.subscribeToAll({}, { onEvents: async () => undefined, onCaughtUp: () => (caughtUp = true), onError: (e) => errors.push(e) });
    await waitUntil(() => caughtUp);
    await server.stop();
    await waitUntil(() => errors.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('translates an unreachable server into EventStoreUnavailableError', async () => {
    await open();
    await server.stop();
    const error = await store.append(`x-${randomUUID()}`, [ev(1)], { expectedRevision: 'any' }).catch((e) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    const readError = await store.readStream(`x-${randomUUID()}`).catch((e) => e);
    expect(readError).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('takes a multi-event append’s position from the answer (the last event’s, as 22.6+ sends it), reading nothing back', async () => {
    await open();
    const stream = `multi-${randomUUID()}`;
    const readsBefore = server.servedCalls('Streams.Read');
    const result = await store.append(stream, [ev(1), ev(2), ev(3)], { expectedRevision: 'no_stream' });
    expect(server.servedCalls('Streams.Read')).toBe(readsBefore);
    const stored = await store.readStream(stream);
    expect(result).toEqual({ nextRevision: 2, position: stored[2].position });
  });

  it('recognises a retried append with its exact expectation at any age; with any, only while the server still knows its ids', async () => {
    await open({}, { idempotencyWindow: 4 });
    const elsewhere = () => store.append(`other-${randomUUID()}`, [ev(0), ev(0), ev(0), ev(0), ev(0)], { expectedRevision: 'no_stream' });
    // What the ledger does: every append carries the revision it was decided on.
    const stream = `retry-${randomUUID()}`;
    const events = [ev(1), ev(2)];
    const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
    await elsewhere();
    expect(await store.append(stream, events, { expectedRevision: 'no_stream' })).toEqual(first);
    expect(await store.readStream(stream)).toHaveLength(2);
    // With 'any', EventStoreDB recognises the ids only within its bounded cache of recent ones; past it they are
    // written again, so nothing may rely on an 'any' retry being idempotent.
    const loose = `loose-${randomUUID()}`;
    const once = [ev(3)];
    const result = await store.append(loose, once, { expectedRevision: 'any' });
    await elsewhere();
    expect((await store.append(loose, once, { expectedRevision: 'any' })).nextRevision).toBe(result.nextRevision + 1);
    expect((await store.readStream(loose)).map((e) => e.id)).toEqual([once[0].id, once[0].id]);
  });

  it('points an idempotent re-append at the stored events and excludes system events from head and reads', async () => {
    await open();
    const stream = `idem-${randomUUID()}`;
    const events = [ev(1), ev(2)];
    const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
    await store.checkpoints.save('after-append', first.position);
    const retry = await store.append(stream, events, { expectedRevision: 'no_stream' });
    expect(retry).toEqual(first);
    expect(await store.headPosition()).toBe(first.position);
    const backwards = [];
    for await (const e of store.readAll({ direction: 'backwards', maxCount: 1 })) backwards.push(e);
    expect(backwards.map((e) => e.position)).toEqual([first.position]);
  });
});
