import { EventStore } from '../../event-store.port';
import { lagBehind } from '../../lag';
import { ContractFixture, ev } from './contract-fixture';

/** Lag is counted in events, so it means the same on every adapter. */
export function lagCases(fixture: ContractFixture): void {
  describe('lag', () => {
    let store: EventStore;
    let prefix: string;
    beforeEach(() => ({ store, prefix } = fixture));

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
}
