import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStreamOptions, SqliteEventStore, StoredEvent, WrongExpectedVersionError } from '@ledger/event-store';
import { chainLink, GENESIS_LINK, linkOf } from './chain';
import { ChainedEventStore } from './chained-event-store';
import { verifyLedger } from './verify';

/**
 * The real SQLite store, keeping a list of the stream reads that reach it: what the decorator's head cache saves is
 * reads, so that is what the specs of the cache count (a wrong head would show as a wrong link instead).
 */
class ReadCountingStore extends SqliteEventStore {
  readonly reads: Array<[string, ReadStreamOptions | undefined]> = [];

  override readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.reads.push([stream, options]);
    return super.readStream(stream, options);
  }
}

/** The chain decorator over a real SQLite store: whatever path an append takes, the log verifies. */
describe('ChainedEventStore', () => {
  let dir: string;
  let inner: ReadCountingStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-chained-'));
    inner = new ReadCountingStore({ file: join(dir, 'events.db') });
  });

  afterEach(async () => {
    await inner.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const draft = (n: number, id?: string) => ({ ...(id ? { id } : {}), type: 'Something', data: { n }, metadata: { actor: 't', correlationId: `c${n}` } });
  const verified = async (store: { readAll: SqliteEventStore['readAll'] }) => verifyLedger(store.readAll(), { gapFreePositions: true });

  it('links the first event of a stream to the genesis link, over the id the event gets', async () => {
    const chained = new ChainedEventStore(inner);
    await chained.append('s-a', [draft(0, 'id-0')], { expectedRevision: 'no_stream' });
    const [event] = await inner.readStream('s-a');
    expect(event.id).toBe('id-0');
    expect(linkOf(event.metadata)).toBe(chainLink(GENESIS_LINK, event));
  });

  it('gives an event without an id one before linking it, so that the link covers the stored id', async () => {
    const chained = new ChainedEventStore(inner);
    await chained.append('s-a', [draft(0), draft(1)], { expectedRevision: 'no_stream' });
    const events = await inner.readStream('s-a');
    expect(events.map((e) => e.id)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(events[0].id).not.toBe(events[1].id);
    expect(await verified(inner)).toMatchObject({ ok: true, checked: 2 });
  });

  it('links each append onto the head it appended last', async () => {
    const chained = new ChainedEventStore(inner);
    await chained.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
    await chained.append('s-b', [draft(1)], { expectedRevision: 'no_stream' });
    const result = await chained.append('s-a', [draft(2)], { expectedRevision: 0 });
    expect(result.nextRevision).toBe(1);
    await chained.append('s-a', [draft(3), draft(4)], { expectedRevision: 1 });
    expect(await verified(chained)).toMatchObject({ ok: true, checked: 5, streams: 2 });
  });

  it('reads the head when another instance appended since (its own head is stale)', async () => {
    const a = new ChainedEventStore(inner);
    const b = new ChainedEventStore(inner);
    await a.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
    await b.append('s-a', [draft(1)], { expectedRevision: 0 });
    await a.append('s-a', [draft(2)], { expectedRevision: 1 });
    expect(await verified(inner)).toMatchObject({ ok: true, checked: 3 });
  });

  it('links onto the head that a full read of the stream showed', async () => {
    await new ChainedEventStore(inner).append('s-a', [draft(0), draft(1)], { expectedRevision: 'no_stream' });
    const reader = new ChainedEventStore(inner);
    expect((await reader.readStream('s-a')).map((e) => e.revision)).toEqual([0, 1]);
    await reader.append('s-a', [draft(2)], { expectedRevision: 1 });
    expect(await verified(inner)).toMatchObject({ ok: true, checked: 3 });
  });

  it('passes partial and backward reads through, and still links correctly after them', async () => {
    await new ChainedEventStore(inner).append('s-a', [draft(0), draft(1), draft(2)], { expectedRevision: 'no_stream' });
    const reader = new ChainedEventStore(inner);
    expect((await reader.readStream('s-a', { direction: 'backwards' })).map((e) => e.revision)).toEqual([2, 1, 0]);
    expect((await reader.readStream('s-a', { maxCount: 1 })).map((e) => e.revision)).toEqual([0]);
    await reader.append('s-a', [draft(3)], { expectedRevision: 2 });
    expect(await verified(inner)).toMatchObject({ ok: true, checked: 4 });
  });

  describe('the head it remembers', () => {
    it('costs the usual path no read of its own: a first append, an append after its own, an append after a full read', async () => {
      const chained = new ChainedEventStore(inner);
      await chained.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
      await chained.append('s-a', [draft(1)], { expectedRevision: 0 });
      expect(inner.reads).toEqual([]);

      const reader = new ChainedEventStore(inner);
      await reader.readStream('s-a');
      await reader.append('s-a', [draft(2)], { expectedRevision: 1 });
      await reader.readStream('s-a', { fromRevision: 2 });
      await reader.append('s-a', [draft(3)], { expectedRevision: 2 });
      // Only the two reads the caller made reached the store.
      expect(inner.reads).toEqual([
        ['s-a', undefined],
        ['s-a', { fromRevision: 2 }],
      ]);
      expect(await verified(inner)).toMatchObject({ ok: true, checked: 4 });
    });

    it('is not displaced by a partial or backward read, which does not show the head', async () => {
      const chained = new ChainedEventStore(inner);
      await chained.append('s-a', [draft(0), draft(1), draft(2)], { expectedRevision: 'no_stream' });
      await chained.readStream('s-a', { direction: 'backwards' });
      await chained.readStream('s-a', { maxCount: 1 });
      await chained.readStream('s-a', { direction: 'forwards', fromRevision: 1, maxCount: 1 });
      inner.reads.length = 0;
      await chained.append('s-a', [draft(3)], { expectedRevision: 2 });
      expect(inner.reads).toEqual([]);
      expect(await verified(inner)).toMatchObject({ ok: true, checked: 4 });
    });

    it('reads the one event at the expected revision when it remembers another', async () => {
      await new ChainedEventStore(inner).append('s-a', [draft(0), draft(1)], { expectedRevision: 'no_stream' });
      const stale = new ChainedEventStore(inner);
      await stale.readStream('s-a', { maxCount: 1 });
      inner.reads.length = 0;
      await stale.append('s-a', [draft(2)], { expectedRevision: 1 });
      expect(inner.reads).toEqual([['s-a', { fromRevision: 1, maxCount: 1 }]]);
      expect(await verified(inner)).toMatchObject({ ok: true, checked: 3 });
    });

    it('remembers nothing from the read of a stream that does not exist', async () => {
      const chained = new ChainedEventStore(inner);
      expect(await chained.readStream('s-none')).toEqual([]);
      await chained.append('s-none', [draft(0)], { expectedRevision: 'no_stream' });
      expect(await verified(inner)).toMatchObject({ ok: true, checked: 1 });
    });

    it('forgets the head after a refused append, and reads it for the retry', async () => {
      const chained = new ChainedEventStore(inner);
      await chained.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
      await new ChainedEventStore(inner).append('s-a', [draft(1)], { expectedRevision: 0 });
      await expect(chained.append('s-a', [draft(2)], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      inner.reads.length = 0;
      await chained.append('s-a', [draft(2)], { expectedRevision: 1 });
      expect(inner.reads).toEqual([['s-a', { fromRevision: 1, maxCount: 1 }]]);
      expect(await verified(inner)).toMatchObject({ ok: true, checked: 3 });
    });
  });

  it('starts the chain afresh after an event written without a link', async () => {
    await inner.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
    await new ChainedEventStore(inner).append('s-a', [draft(1)], { expectedRevision: 0 });
    const [, linked] = await inner.readStream('s-a');
    expect(linkOf(linked.metadata)).toBe(chainLink(GENESIS_LINK, linked));
    expect((await verified(inner)).problems.map((p) => [p.kind, p.revision])).toEqual([['missing_link', 0]]);
  });

  it.each(['any', 'stream_exists'] as const)("refuses expectedRevision '%s', which cannot be chained, and writes nothing", async (expectedRevision) => {
    const chained = new ChainedEventStore(inner);
    await expect(chained.append('s-a', [draft(0)], { expectedRevision })).rejects.toThrow(`A chained append needs the stream's revision, not '${expectedRevision}'`);
    expect(await inner.headPosition()).toBe(-1);
  });

  it("passes on the store's conflict, and links correctly on the retry", async () => {
    const chained = new ChainedEventStore(inner);
    await chained.append('s-a', [draft(0)], { expectedRevision: 'no_stream' });
    await expect(chained.append('s-a', [draft(1)], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await chained.append('s-a', [draft(1)], { expectedRevision: 0 });
    expect(await verified(inner)).toMatchObject({ ok: true, checked: 2 });
  });

  it('passes reads of the log, subscriptions, the head position and close through to the store', async () => {
    const chained = new ChainedEventStore(inner);
    expect(await chained.headPosition()).toBe(-1);
    await chained.append('s-a', [draft(0), draft(1)], { expectedRevision: 'no_stream' });
    expect(await chained.headPosition()).toBe(1);
    const all: number[] = [];
    for await (const e of chained.readAll({ after: 0 })) all.push(e.position);
    expect(all).toEqual([1]);

    const delivered: StoredEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = chained.subscribeToAll(
        {},
        {
          onEvents: async (events) => void delivered.push(...events),
          onCaughtUp: () => void subscription.stop().then(resolve, reject),
          onError: reject,
        },
      );
    });
    expect(delivered.map((e) => e.position)).toEqual([0, 1]);

    await chained.close();
    await expect(inner.append('s-b', [draft(2)], { expectedRevision: 'no_stream' })).rejects.toThrow('Event store is closed');
  });
});
