import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore, verifyLedger } from '@ledger/audit';
import { CommandMetadata, Decider, DomainError, type DomainEvent } from '@ledger/domain';
import { EventStore, SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { CommandExecutor } from './command-executor';
import { PositionScope } from './position-scope';
import { NO_VIEWS } from './read-your-writes.port';

/**
 * The executor on a real SQLite store, with a counter aggregate small enough to see every decision: 'add' appends
 * Added unless the counter is closed, 'close' appends Closed (a revocation-like command), 'look' appends nothing.
 */
type CounterEvent = { type: 'Added'; data: { by: string } } | { type: 'Closed'; data: { by: string } };
interface CounterState {
  added: string[];
  closed: boolean;
}
type CounterCommand = { type: 'add' | 'close' | 'look'; by: string };

const counter: Decider<CounterState, CounterCommand, CounterEvent> = {
  initialState: () => ({ added: [], closed: false }),
  evolve: (s, e) => (e.type === 'Added' ? { ...s, added: [...s.added, e.data.by] } : { ...s, closed: true }),
  decide: (c, s) => {
    if (c.type === 'look') return [];
    if (s.closed) throw new DomainError('closed', 'conflict', 'closed');
    return [{ type: c.type === 'add' ? 'Added' : 'Closed', data: { by: c.by } }];
  },
};

const meta = (): CommandMetadata => ({ now: new Date(), actor: 'test', correlationId: 'c', initiator: 'system' });

describe('CommandExecutor (real SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'executor-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = async (s: EventStore) => (await verifyLedger(s.readAll(), { gapFreePositions: true })).ok;

  it('runs the commands of one stream one at a time: 100 concurrent commands, no conflict, every one appended', async () => {
    const executor = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => executor.execute('counter-a', counter, { type: 'add', by: `n${i}` }, meta())));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const events = await store.readStream('counter-a');
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(await verify(store)).toBe(true);
  });

  it('an event caused by an earlier one of the same decision (a cascade) has that event\'s id as its causationId', async () => {
    const cascading: Decider<CounterState, CounterCommand, DomainEvent> = {
      ...(counter as unknown as Decider<CounterState, CounterCommand, DomainEvent>),
      decide: () => [
        { type: 'Closed', data: { by: 'root' } },
        { type: 'Added', data: { by: 'first' }, causedBy: 0 },
        { type: 'Added', data: { by: 'second' }, causedBy: 0 },
      ],
    };
    const executor = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    await executor.execute('counter-cause', cascading, { type: 'close', by: 'r' }, { ...meta(), causationId: 'outer' });
    const [root, first, second] = await store.readStream('counter-cause');
    expect(root.metadata).toMatchObject({ correlationId: 'c', causationId: 'outer' });
    for (const e of [first, second]) expect(e.metadata).toMatchObject({ correlationId: 'c', causationId: root.id });
    // Attribution only: the hint is not stored with the data, and the chain still verifies.
    expect(first.data).toEqual({ by: 'first' });
    expect(await verify(store)).toBe(true);
  });

  it('a revocation goes ahead of every command queued before it on its stream', async () => {
    const executor = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    const adds = Array.from({ length: 20 }, (_, i) => executor.execute('counter-b', counter, { type: 'add', by: `n${i}` }, meta()));
    const close = executor.execute('counter-b', counter, { type: 'close', by: 'revoker' }, meta(), { priority: 'revocation' });
    await expect(close).resolves.toMatchObject({ state: { closed: true } });
    const settled = await Promise.allSettled(adds);
    // Only the command already running when the revocation arrived got in; the rest were decided after it.
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(settled.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'closed')).toBe(true);
    expect((await store.readStream('counter-b')).map((e) => e.type)).toEqual(['Added', 'Closed']);
  });

  it('under overload, normal commands are shed with 503 overloaded and revocations still get in', async () => {
    const executor = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS, { lanes: { maxQueuedPerStream: 5, maxQueuedTotal: 1_000 } });
    const adds = Array.from({ length: 10 }, (_, i) => executor.execute('counter-c', counter, { type: 'add', by: `n${i}` }, meta()).catch((e) => e));
    const closes = Array.from({ length: 10 }, () => executor.execute('counter-c', counter, { type: 'close', by: 'r' }, meta(), { priority: 'revocation' }).catch((e) => e));
    const shed = (await Promise.all(adds)).filter((r) => r instanceof DomainError && r.code === 'overloaded');
    // One runs at once and five wait: the other four are shed.
    expect(shed).toHaveLength(4);
    expect(shed[0].category).toBe('unavailable');
    const closeResults = await Promise.all(closes);
    expect(closeResults.filter((r) => r instanceof DomainError && r.category === 'unavailable')).toEqual([]);
    expect((await store.readStream('counter-c')).filter((e) => e.type === 'Closed')).toHaveLength(1);
  });

  it('between instances optimistic concurrency settles the race: no conflict escapes, every append is chained', async () => {
    // Two executors on one store stand for two instances; their lanes know nothing of each other.
    const a = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    const b = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).execute('counter-d', counter, { type: 'add', by: `n${i}` }, meta())),
    );
    const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    // A command that keeps losing is answered 503 stream_contended, never with the store's conflict error.
    expect(failures.filter((e) => !(e instanceof DomainError && e.code === 'stream_contended'))).toEqual([]);
    const events = await store.readStream('counter-d');
    expect(events).toHaveLength(60 - failures.length);
    expect(await verify(store)).toBe(true);
  });

  it('answers 503 stream_contended once its budget is spent, and appends nothing', async () => {
    const executor = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS, { contentionBudgetMs: { revocation: 0, normal: 0 } });
    await executor.execute('counter-e', counter, { type: 'add', by: 'first' }, meta());
    // Another instance writes behind this one's cached state: the next decision conflicts.
    await new CommandExecutor(new ChainedEventStore(store), NO_VIEWS).execute('counter-e', counter, { type: 'add', by: 'other' }, meta());
    const error = await executor.execute('counter-e', counter, { type: 'add', by: 'late' }, meta()).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('stream_contended');
    expect((await store.readStream('counter-e')).map((e) => e.data.by)).toEqual(['first', 'other']);
  });

  it("records each outcome's position in the open scope; a no-op's is that of the event it rests on, another instance's too", async () => {
    const positions = new PositionScope();
    const a = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS, { positions });
    const b = new CommandExecutor(new ChainedEventStore(store), NO_VIEWS);
    const appended = positions.run(() => a.execute('counter-f', counter, { type: 'add', by: 'a' }, meta()));
    const outcome = await appended.result;
    const [first] = await store.readStream('counter-f');
    expect(outcome.position).toBe(first.position);
    expect(appended.highest()).toBe(first.position);

    // Another instance appends behind A's cached state; A's no-op then reads the stream and points at that event.
    await b.execute('counter-f', counter, { type: 'close', by: 'b' }, meta());
    const noop = positions.run(() => a.execute('counter-f', counter, { type: 'look', by: 'a' }, meta()));
    const [, closed] = await store.readStream('counter-f');
    expect((await noop.result).position).toBe(closed.position);
    expect(noop.highest()).toBe(closed.position);

    // A no-op on a stream with no events has nothing to point at.
    const empty = positions.run(() => a.execute('counter-g', counter, { type: 'look', by: 'a' }, meta()));
    expect((await empty.result).position).toBeUndefined();
    expect(empty.highest()).toBeUndefined();
  });

  it('a revocation on a stream this instance has never seen is decided once, on the stream as read: never refused on a guessed empty state first', async () => {
    // Counts what the executor asks of the real store, and every decision with the state it was taken on.
    class CountingStore extends SqliteEventStore {
      reads = 0;
      override readStream(...args: Parameters<SqliteEventStore['readStream']>) {
        this.reads += 1;
        return super.readStream(...args);
      }
    }
    const counting = new CountingStore({ file: join(dir, 'counting.db') });
    try {
      // Another instance grants: this one has never seen the stream.
      await new CommandExecutor(new ChainedEventStore(counting), NO_VIEWS).execute('counter-h', counter, { type: 'add', by: 'other' }, meta());
      const decided: CounterState[] = [];
      const revocable: Decider<CounterState, CounterCommand, CounterEvent> = {
        ...counter,
        // Like RevokeConsent: nothing to revoke on a stream with no events.
        decide: (c, s, m) => {
          decided.push(s);
          if (s.added.length === 0) throw new DomainError('not_found', 'not_found', 'nothing to close');
          return counter.decide(c, s, m);
        },
      };
      counting.reads = 0;
      const outcome = await new CommandExecutor(new ChainedEventStore(counting), NO_VIEWS).execute('counter-h', revocable, { type: 'close', by: 'r' }, meta(), { priority: 'revocation' });
      expect(outcome.state).toEqual({ added: ['other'], closed: true });
      expect(decided).toEqual([{ added: ['other'], closed: false }]);
      expect(counting.reads).toBe(1);
      expect((await counting.readStream('counter-h')).map((e) => e.type)).toEqual(['Added', 'Closed']);
    } finally {
      await counting.close();
    }
  });
});

describe('ChainedEventStore', () => {
  it('refuses an append that does not name the revision it links to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chained-'));
    const store = new SqliteEventStore({ file: join(dir, 'events.db') });
    try {
      const chained = new ChainedEventStore(store);
      const event = { type: 'Added', data: {}, metadata: { actor: 't', correlationId: 'c' } };
      await expect(chained.append('s', [event], { expectedRevision: 'any' })).rejects.toThrow(/revision/);
      await expect(chained.append('s', [event], { expectedRevision: 'stream_exists' })).rejects.toThrow(/revision/);
      expect(await store.readStream('s')).toEqual([]);
      // With a fresh decorator (nothing remembered), the link is taken from the event at the expected revision.
      await chained.append('s', [event], { expectedRevision: 'no_stream' });
      await new ChainedEventStore(store).append('s', [event], { expectedRevision: 0 });
      const result = await verifyLedger(store.readAll(), { gapFreePositions: true });
      expect(result).toMatchObject({ ok: true, checked: 2 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
