import type { StoredEvent, Subscription } from '../event-store.port';
import { RawRow } from './sqlite-schema';
import { SqliteSubscriptions } from './sqlite-subscription';

const row = (position: number): RawRow => [position, `e${position}`, 's', position, 'A', '2026-01-01T00:00:00.000Z', '{}', '{}'];

/** The store's rows behind a counted read, as SqliteEventStore gives them (visible rows after a position). */
function store() {
  const rows: RawRow[] = [];
  const counted = { reads: 0 };
  const subscriptions = new SqliteSubscriptions((after, max) => {
    counted.reads += 1;
    return rows.filter((r) => r[0] > after).slice(0, max);
  }, 60_000);
  return { rows, counted, subscriptions };
}

describe('SqliteSubscriptions', () => {
  // Stopped even when an expectation fails: a sleeping subscription's poll timer would hold the test process.
  const open: Subscription[] = [];
  const track = (sub: Subscription) => (open.push(sub), sub);
  afterEach(() => Promise.all(open.splice(0).map((sub) => sub.stop())));

  it('reads once per live append: a short batch held everything visible, so no empty read follows it', async () => {
    const { rows, counted, subscriptions } = store();
    const seen: number[] = [];
    let caughtUp = 0;
    track(subscriptions.subscribe({}, { onEvents: async (events: StoredEvent[]) => void seen.push(...events.map((e) => e.position)), onCaughtUp: () => (caughtUp += 1) }));
    await new Promise((r) => setImmediate(r));
    expect(counted.reads).toBe(1); // the empty store, then asleep
    for (let p = 0; p < 5; p++) {
      rows.push(row(p));
      subscriptions.notify();
      await new Promise((r) => setImmediate(r));
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(counted.reads).toBe(1 + 5);
    expect(caughtUp).toBe(1);
  });

  it('reads again when an append lands while the handler is busy, and only then', async () => {
    const { rows, counted, subscriptions } = store();
    const seen: number[] = [];
    let release!: () => void;
    track(subscriptions.subscribe({}, {
      onEvents: async (events: StoredEvent[]) => {
        seen.push(...events.map((e) => e.position));
        if (seen.length === 1) await new Promise<void>((r) => (release = r));
      },
    }));
    await new Promise((r) => setImmediate(r));
    rows.push(row(0));
    subscriptions.notify();
    await new Promise((r) => setImmediate(r));
    // The handler holds the first event; the second becomes visible meanwhile.
    rows.push(row(1));
    subscriptions.notify();
    release();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([0, 1]);
    expect(counted.reads).toBe(3);
  });

  it('reads a full batch again at once: more may be visible behind it', async () => {
    const { rows, counted, subscriptions } = store();
    for (let p = 0; p < 5; p++) rows.push(row(p));
    const seen: number[] = [];
    track(subscriptions.subscribe({ maxBatchSize: 2 }, { onEvents: async (events: StoredEvent[]) => void seen.push(...events.map((e) => e.position)) }));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(counted.reads).toBe(3); // 2 + 2 + 1: the short one ends the catch-up
  });
});
