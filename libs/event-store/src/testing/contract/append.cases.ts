import { EventStore } from '../../event-store.port';
import { WrongExpectedVersionError } from '../../event-store.errors';
import { ContractFixture, ev } from './contract-fixture';

/** Optimistic concurrency, idempotent retries and what one append writes. */
export function appendCases(fixture: ContractFixture): void {
  describe('append with an expected revision', () => {
    let store: EventStore;
    let prefix: string;
    beforeEach(() => ({ store, prefix } = fixture));

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
}
