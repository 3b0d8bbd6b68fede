import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore, verifyLedger } from '@ledger/audit';
import { CommandMetadata, LiveSsfStream, POLL_DELIVERY, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { ReadStreamOptions, SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { SqliteSubjectKeys } from '../infrastructure/subject-key-store';
import { SsfExecutor } from './ssf-executor';

const streamId = 'ssf_0123456789abcdef0123456789abcdef';
const receiver = 'partner';
const meta: CommandMetadata = { now: new Date(), actor: receiver, correlationId: 'c-1', initiator: 'user' };
const alice = { format: 'opaque' as const, id: 'alice.sealed@example.org' };
const aliceAtWeb = { format: 'complex' as const, user: alice, application: { format: 'opaque' as const, id: 'web' } };

/**
 * The SSF executor over a real SQLite store, the chain and the real subject key store: a stream written before the
 * subject events were sealed (v1, the subject in clear, no version) still folds, the new subject events are stored
 * sealed, and after the key is destroyed the subject reads as the pseudonym, on the very executor that folded it.
 */
describe('SsfExecutor: Shared Signals subjects sealed, old ones read', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let keys: SqliteSubjectKeys;
  let executor: SsfExecutor;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-ssf-sealed-'));
    raw = new SqliteEventStore({ file: join(dir, 'events.db') });
    keys = new SqliteSubjectKeys(join(dir, 'keys'), randomBytes(32));
    executor = new SsfExecutor(raw, keys);
  });
  afterEach(async () => {
    keys.close();
    await raw.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const subjects = async () => ((await executor.load(ssfStream(streamId), ssfStreamDecider)).state as LiveSsfStream).subjects;
  const run = (type: 'AddSsfSubject' | 'RemoveSsfSubject', subject: typeof alice | typeof aliceAtWeb) =>
    executor.execute(ssfStream(streamId), ssfStreamDecider, { type, data: { streamId, receiver, subject, entitlement: ['web'] } } as never, meta);

  it('given a v1 stream with a clear subject, when loaded, then it folds; when removed and re-added, then v2 events hold no clear id', async () => {
    const created = { streamId, receiver, deliveryMethod: POLL_DELIVERY, eventsRequested: [], eventsDelivered: [], description: null, createdAt: meta.now.toISOString() };
    // As a build before v2 appended them: chained, no eventVersion, the subject and its key in clear.
    await new ChainedEventStore(raw).append(ssfStream(streamId), [
      { type: 'SsfStreamCreated', data: created, metadata: { actor: receiver, correlationId: 'c-0' } },
      { type: 'SsfSubjectAdded', data: { streamId, subject: aliceAtWeb, key: `u:${alice.id}\u0000c:web`, addedAt: created.createdAt }, metadata: { actor: receiver, correlationId: 'c-0' } },
    ], { expectedRevision: 'no_stream' });
    expect(await subjects()).toEqual({ [`u:${alice.id}\u0000c:web`]: aliceAtWeb });

    await run('RemoveSsfSubject', aliceAtWeb);
    await run('AddSsfSubject', alice);
    expect(await subjects()).toEqual({ [`u:${alice.id}\u0000`]: alice });
    const stored = await raw.readStream(ssfStream(streamId));
    expect(stored.slice(2).map((e) => [e.type, e.metadata.eventVersion, JSON.stringify(e.data).includes(alice.id)])).toEqual([
      ['SsfSubjectRemoved', 2, false],
      ['SsfSubjectAdded', 2, false],
    ]);
    expect(stored[3].data).toMatchObject({ userId: { enc: expect.any(String), kid: keys.liveKid(alice.id) }, subject: { format: 'opaque' } });

    keys.destroy(keys.liveKid(alice.id)!);
    const pseudonym = `~erased:${(stored[3].data.userId as { kid: string }).kid}`;
    // The same executor, which folded the stream before: it reads the pseudonym, and the old id finds nothing.
    expect(await subjects()).toEqual({ [`u:${pseudonym}\u0000`]: { format: 'opaque', id: pseudonym } });
    expect((await run('RemoveSsfSubject', alice)).events).toEqual([]);
    await raw.close();
    // The v1 event (before sealing) keeps the id in clear: the residual docs/privacy.md names; nothing after it does.
    const file = readFileSync(join(dir, 'events.db'));
    expect(file.includes(Buffer.from(`"id":"${alice.id}"`))).toBe(true);
    raw = new SqliteEventStore({ file: join(dir, 'events.db') });
    expect((await verifyLedger(raw.readAll(), { gapFreePositions: true })).problems).toEqual([]);
  });

  it('given a folded stream, when loaded again, then only the events after its revision are read, until a key it rests on is destroyed', async () => {
    // The same real store, noting where each read of the stream starts.
    const reads: number[] = [];
    const counting = Object.assign(Object.create(raw) as SqliteEventStore, {
      readStream: (stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> => {
        if (stream === ssfStream(streamId)) reads.push(options?.fromRevision ?? 0);
        return raw.readStream(stream, options);
      },
    });
    executor = new SsfExecutor(counting, keys);
    const created = { streamId, receiver, deliveryMethod: POLL_DELIVERY, eventsRequested: [], eventsDelivered: [], description: null, createdAt: meta.now.toISOString() };
    await new ChainedEventStore(raw).append(ssfStream(streamId), [{ type: 'SsfStreamCreated', data: created, metadata: { actor: receiver, correlationId: 'c-0', eventVersion: 1 } }], { expectedRevision: 'no_stream' });
    await run('AddSsfSubject', alice);
    await subjects();
    await subjects();
    // The first load reads it whole; the append's fold is kept; the loads after it read from the next revision on.
    expect(reads).toEqual([0, 2, 2]);

    keys.destroy(keys.liveKid(alice.id)!);
    const folded = await subjects();
    expect(Object.values(folded).map((s) => s.format === 'opaque' && s.id.startsWith('~erased:'))).toEqual([true]);
    // The fold held the id, sealed under the destroyed key: read whole again, where it reads as the pseudonym.
    expect(reads).toEqual([0, 2, 2, 0]);
  });
});
