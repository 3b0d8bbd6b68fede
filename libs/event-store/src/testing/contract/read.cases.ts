import { EventStore } from '../../event-store.port';
import { ContractFixture, collect, ev } from './contract-fixture';

/** Reads of one stream and of everything, with their bounds, directions, counts and filters. */
export function readCases(fixture: ContractFixture): void {
  describe('reading a stream', () => {
    let store: EventStore;
    let prefix: string;
    beforeEach(() => ({ store, prefix } = fixture));

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
    let store: EventStore;
    let prefix: string;
    beforeEach(() => ({ store, prefix } = fixture));

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
}
