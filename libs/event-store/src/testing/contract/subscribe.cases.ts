import { EventStore, StoredEvent } from '../../event-store.port';
import { ContractFixture, ev, waitUntil } from './contract-fixture';

/** Catch-up then live delivery, filters, and a failing handler that must be reported, not swallowed. */
export function subscribeCases(fixture: ContractFixture): void {
  describe('subscribing to everything', () => {
    let store: EventStore;
    let prefix: string;
    beforeEach(() => ({ store, prefix } = fixture));

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
}
