import { randomUUID } from 'node:crypto';
import { waitUntil } from '@ledger/testing';
import { CheckpointStore, EventStore, EventToAppend, StoredEvent } from '../event-store.port';
import { WrongExpectedVersionError } from '../event-store.errors';
import { lagBehind } from '../lag';

export interface EventStoreUnderTest {
  store: EventStore;
  /** Checkpoints kept by the same store, when the adapter offers them. */
  checkpoints?: CheckpointStore;
  cleanup(): Promise<void>;
}

/**
 * The contract every adapter of the event-store port must honour. It is written against the port alone, so the
 * embedded SQLite adapter, the EventStoreDB adapter on the wire-level test server and a real EventStoreDB all run it
 * unchanged. Streams get a unique prefix per test, so the suite also runs against a shared, non-empty store.
 */
export function testEventStore(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    let sut: EventStoreUnderTest;
    let store: EventStore;
    let prefix: string;

    beforeEach(async () => {
      sut = await factory();
      store = sut.store;
      prefix = `ct${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    const ev = (type: string, n = 0, id?: string): EventToAppend => ({
      id: id ?? randomUUID(),
      type,
      data: { n, nested: { list: [1, 'two'], flag: true } },
      metadata: { actor: 'contract', correlationId: `corr-${n}`, causationId: `cause-${n}`, initiator: 'user' },
    });

    describe('append with an expected revision', () => {
      it('creates a stream with no_stream and stores every field', async () => {
        const stream = `${prefix}-a`;
        const event = ev('ThingHappened', 7);
        const result = await store.append(stream, [event], { expectedRevision: 'no_stream' });
        expect(result.nextRevision).toBe(0);

        const [stored] = await store.readStream(stream);
        expect(stored).toMatchObject({
          id: event.id,
          type: 'ThingHappened',
          stream,
          revision: 0,
          position: result.position,
          data: event.data,
          metadata: event.metadata,
        });
        expect(new Date(stored.recordedAt).toISOString()).toBe(stored.recordedAt);
        expect(Math.abs(Date.parse(stored.recordedAt) - Date.now())).toBeLessThan(60_000);
      });

      it('refuses no_stream when the stream exists, and writes nothing', async () => {
        const stream = `${prefix}-b`;
        await store.append(stream, [ev('A')], { expectedRevision: 'no_stream' });
        const error = await store.append(stream, [ev('B')], { expectedRevision: 'no_stream' }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actual).toBe(0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('accepts the exact revision and refuses a stale one', async () => {
        const stream = `${prefix}-c`;
        await store.append(stream, [ev('A', 0), ev('A', 1)], { expectedRevision: 'no_stream' });
        const ok = await store.append(stream, [ev('A', 2)], { expectedRevision: 1 });
        expect(ok.nextRevision).toBe(2);

        const stale = await store.append(stream, [ev('A', 3)], { expectedRevision: 1 }).catch((e) => e);
        expect(stale).toBeInstanceOf(WrongExpectedVersionError);
        expect(stale.actual).toBe(2);
        expect((await store.readStream(stream)).map((e) => e.data.n)).toEqual([0, 1, 2]);
      });

      it('refuses an exact revision on a missing stream with actual -1', async () => {
        const error = await store.append(`${prefix}-d`, [ev('A')], { expectedRevision: 0 }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actual).toBe(-1);
      });

      it('honours stream_exists and any', async () => {
        const stream = `${prefix}-e`;
        const missing = await store.append(stream, [ev('A')], { expectedRevision: 'stream_exists' }).catch((e) => e);
        expect(missing).toBeInstanceOf(WrongExpectedVersionError);
        await store.append(stream, [ev('A')], { expectedRevision: 'any' });
        await store.append(stream, [ev('A')], { expectedRevision: 'stream_exists' });
        const r = await store.append(stream, [ev('A')], { expectedRevision: 'any' });
        expect(r.nextRevision).toBe(2);
      });

      it('gives the events of one append consecutive revisions and increasing positions', async () => {
        const stream = `${prefix}-f`;
        await store.append(stream, [ev('A', 0), ev('B', 1), ev('C', 2)], { expectedRevision: 'no_stream' });
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(events[1].position).toBeGreaterThan(events[0].position);
        expect(events[2].position).toBeGreaterThan(events[1].position);
      });

      it('does not write a retried append twice (same event ids, same expectation)', async () => {
        const stream = `${prefix}-g`;
        const events = [ev('A', 0), ev('A', 1)];
        const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
        const retry = await store.append(stream, events, { expectedRevision: 'no_stream' });
        expect(retry.nextRevision).toBe(first.nextRevision);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('lets exactly one of many concurrent appends with the same expectation win', async () => {
        const stream = `${prefix}-h`;
        await store.append(stream, [ev('A')], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.append(stream, [ev('Race', i)], { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream(`${prefix}-missing`)).toEqual([]);
      });

      it('reads from a revision, backwards, and with a count', async () => {
        const stream = `${prefix}-r`;
        await store.append(stream, [0, 1, 2, 3, 4].map((n) => ev('A', n)), { expectedRevision: 'no_stream' });
        expect((await store.readStream(stream, { fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 3, 4]);
        expect((await store.readStream(stream, { maxCount: 2 })).map((e) => e.revision)).toEqual([0, 1]);
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 2 })).map((e) => e.revision)).toEqual([4, 3]);
        expect(
          (await store.readStream(stream, { direction: 'backwards', fromRevision: 1 })).map((e) => e.revision),
        ).toEqual([1, 0]);
      });
    });

    describe('reading everything', () => {
      it('reads forwards after an exclusive position, in position order', async () => {
        const before = await store.headPosition();
        const s1 = `${prefix}-x`;
        const s2 = `${prefix}-y`;
        await store.append(s1, [ev('A', 1)], { expectedRevision: 'no_stream' });
        await store.append(s2, [ev('A', 2)], { expectedRevision: 'no_stream' });
        await store.append(s1, [ev('A', 3)], { expectedRevision: 0 });

        const mine = await collect(store.readAll({ after: before, filter: { streamPrefixes: [prefix] } }));
        expect(mine.map((e) => e.data.n)).toEqual([1, 2, 3]);
        for (let i = 1; i < mine.length; i++) expect(mine[i].position).toBeGreaterThan(mine[i - 1].position);

        const fromSecond = await collect(store.readAll({ after: mine[0].position, filter: { streamPrefixes: [prefix] } }));
        expect(fromSecond.map((e) => e.data.n)).toEqual([2, 3]);
        expect(await store.headPosition()).toBe(mine[2].position);
      });

      it('reads backwards and with a count', async () => {
        const s = `${prefix}-z`;
        await store.append(s, [1, 2, 3].map((n) => ev('A', n)), { expectedRevision: 'no_stream' });
        const back = await collect(store.readAll({ direction: 'backwards', maxCount: 2, filter: { streamPrefixes: [prefix] } }));
        expect(back.map((e) => e.data.n)).toEqual([3, 2]);
      });

      it('filters by event type prefix', async () => {
        const before = await store.headPosition();
        const s = `${prefix}-t`;
        await store.append(s, [ev('Keep.One', 1), ev('Drop.One', 2), ev('Keep.Two', 3)], { expectedRevision: 'no_stream' });
        const kept = await collect(store.readAll({ after: before, filter: { eventTypePrefixes: ['Keep.'], streamPrefixes: [prefix] } }));
        expect(kept.map((e) => e.type)).toEqual(['Keep.One', 'Keep.Two']);
      });
    });

    describe('subscribing to everything', () => {
      it('catches up from a checkpoint (exclusive), says so, then stays live', async () => {
        const s = `${prefix}-s`;
        await store.append(s, [ev('A', 0), ev('A', 1)], { expectedRevision: 'no_stream' });
        const [first] = await store.readStream(s);

        const seen: StoredEvent[] = [];
        const order: string[] = [];
        let caughtUp!: () => void;
        const caughtUpP = new Promise<void>((r) => (caughtUp = r));
        const sub = store.subscribeToAll(
          { after: first.position, filter: { streamPrefixes: [prefix] } },
          {
            onEvents: async (events) => {
              seen.push(...events);
              order.push(...events.map((e) => `event:${e.data.n}`));
            },
            onCaughtUp: () => {
              order.push('caught-up');
              caughtUp();
            },
          },
        );
        try {
          await caughtUpP;
          await store.append(s, [ev('A', 2)], { expectedRevision: 1 });
          await store.append(s, [ev('A', 3)], { expectedRevision: 2 });
          await waitUntil(() => seen.length >= 3);
          expect(seen.map((e) => e.data.n)).toEqual([1, 2, 3]);
          expect(order).toEqual(['event:1', 'caught-up', 'event:2', 'event:3']);
        } finally {
          await sub.stop();
        }
      });

      it('delivers only what the filter asks for', async () => {
        const s = `${prefix}-f`;
        const seen: string[] = [];
        const before = await store.headPosition();
        const sub = store.subscribeToAll(
          { after: before, filter: { eventTypePrefixes: [`${prefix}.Keep`] } },
          { onEvents: async (events) => void seen.push(...events.map((e) => e.type)) },
        );
        try {
          await store.append(s, [ev(`${prefix}.Keep1`), ev(`${prefix}.Other`), ev(`${prefix}.Keep2`)], { expectedRevision: 'no_stream' });
          await waitUntil(() => seen.length >= 2);
          expect(seen).toEqual([`${prefix}.Keep1`, `${prefix}.Keep2`]);
        } finally {
          await sub.stop();
        }
      });

      it('reports a failing handler instead of swallowing it, and delivers nothing after', async () => {
        const s = `${prefix}-e`;
        const before = await store.headPosition();
        let calls = 0;
        const failure = new Promise<Error>((resolve) => {
          store.subscribeToAll(
            { after: before, filter: { streamPrefixes: [prefix] } },
            {
              onEvents: async () => {
                calls += 1;
                throw new Error('projection exploded');
              },
              onError: resolve,
            },
          );
        });
        await store.append(s, [ev('A')], { expectedRevision: 'no_stream' });
        const error = await failure;
        expect(error.message).toContain('projection exploded');
        await store.append(s, [ev('A')], { expectedRevision: 0 });
        await new Promise((r) => setTimeout(r, 300));
        expect(calls).toBe(1);
      });
    });

    describe('lag', () => {
      it('counts the events after a position, whatever the positions are (byte offsets on EventStoreDB)', async () => {
        const s = `${prefix}-lag`;
        const first = await store.append(s, [ev('LagA', 1)], { expectedRevision: 'no_stream' });
        await store.append(s, [ev('LagB', 2), ev('LagC', 3)], { expectedRevision: 0 });
        await store.append(s, [ev('LagD', 4)], { expectedRevision: 2 });
        // Only this test's events match the filter, so the count holds on a shared, non-empty store too.
        const filter = { eventTypePrefixes: ['LagA', 'LagB', 'LagC', 'LagD'] };
        const behind = await lagBehind(store, first.position, { filter });
        expect(behind).toMatchObject({ events: 3, capped: false });
        expect(behind.ms).toBeGreaterThanOrEqual(0);
        expect(await lagBehind(store, first.position, { filter, maxCount: 2 })).toMatchObject({ events: 2, capped: true });
        const head = await store.headPosition();
        expect(await lagBehind(store, head, { filter })).toMatchObject({ events: 0, ms: 0 });
      });
    });

    describe('checkpoints', () => {
      it('stores and reloads a named checkpoint', async () => {
        if (!sut.checkpoints) return;
        const name = `${prefix}-cp`;
        expect(await sut.checkpoints.load(name)).toBeUndefined();
        await sut.checkpoints.save(name, 41);
        await sut.checkpoints.save(name, 42);
        expect(await sut.checkpoints.load(name)).toBe(42);
      });
    });
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

// The adapters' own specs import it from here.
export { waitUntil };
