import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erasedUserId } from '@ledger/domain';
import { lagBehind, SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { exportEvents } from './audit-queries';
import { ChainedEventStore } from './chained-event-store';
import { openString, SealedEventStore, sealString } from './sealed-event-store';
import type { SubjectKeys } from './subject-keys.port';
import { verifyLedger } from './verify';

/** The port's contract in memory: the service's adapter is a file in the secrets directory (apps/ledger). */
class MemoryKeys implements SubjectKeys {
  readonly byKid = new Map<string, Buffer | 'erased'>();
  readonly live = new Map<string, string>();
  keyFor(userId: string) {
    const kid = this.liveKid(userId) ?? randomBytes(16).toString('hex');
    if (!this.byKid.has(kid)) {
      this.byKid.set(kid, randomBytes(32));
      if (this.holding) this.syncing.set(kid, this.holding);
    }
    this.live.set(userId, kid);
    return { kid, key: this.byKid.get(kid) as Buffer };
  }
  liveKid(userId: string) {
    return this.live.get(userId);
  }
  /** While a test sets it, each key created is durable only once it resolves (the key store's sync, held back). */
  holding?: Promise<void>;
  /** The keys whose sync is held back. */
  readonly syncing = new Map<string, Promise<void>>();
  async durable(kids: Iterable<string>) {
    await Promise.all([...kids].map((kid) => this.syncing.get(kid)));
  }
  key(kid: string) {
    return this.byKid.get(kid);
  }
  destroy(kid: string) {
    this.byKid.set(kid, 'erased');
    for (const [u, k] of this.live) if (k === kid) this.live.delete(u);
  }
}

describe('SealedEventStore over the chain, over a real SQLite store', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let keys: MemoryKeys;
  let sealed: SealedEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-sealed-'));
    raw = new SqliteEventStore({ file: join(dir, 'events.db') });
    keys = new MemoryKeys();
    sealed = new SealedEventStore(new ChainedEventStore(raw), keys);
  });
  afterEach(async () => {
    await raw.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const revoked = (userId: string) => ({
    type: 'TokenRevoked',
    data: { consentId: 'cns_x_1', userId, clientId: 'app', tokenId: 'tok_1', reason: 'lost my phone in Oslo' },
    metadata: { actor: 'frontend', correlationId: 'c', reason: 'lost my phone in Oslo', clientRequestId: 'req-erin' },
  });
  const rawEvents = async () => {
    const out: StoredEvent[] = [];
    for await (const e of raw.readAll()) out.push(e);
    return out;
  };

  it('given the key store has not synced a new key yet, then the append waits for it: no event is in the log before its key', async () => {
    let synced!: () => void;
    keys.holding = new Promise((resolve) => (synced = resolve));
    const appended = sealed.append('consent-x', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    await new Promise((r) => setTimeout(r, 50));
    expect(await rawEvents()).toHaveLength(0);
    synced();
    await appended;
    expect(await rawEvents()).toHaveLength(1);
  });

  it('given another subject\'s new key not synced yet, then an append sealed under keys synced before goes at once, and the other waits', async () => {
    await sealed.append('consent-y', [revoked('bob'), revoked('carol')], { expectedRevision: 'no_stream' });
    let synced!: () => void;
    keys.holding = new Promise((resolve) => (synced = resolve));
    const appended = sealed.append('consent-x', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    // bob's and carol's keys: nothing of theirs is syncing.
    await sealed.append('consent-y', [revoked('carol'), revoked('bob')], { expectedRevision: 1 });
    expect((await rawEvents()).map((e) => e.stream)).toEqual(['consent-y', 'consent-y', 'consent-y', 'consent-y']);
    // One new key among old ones is enough to wait.
    const mixed = sealed.append('consent-y', [revoked('bob'), revoked('dave')], { expectedRevision: 3 });
    await new Promise((r) => setTimeout(r, 50));
    expect(await rawEvents()).toHaveLength(4);
    synced();
    await Promise.all([appended, mixed]);
    expect((await rawEvents()).map((e) => e.stream).sort()).toEqual(['consent-x', ...Array(6).fill('consent-y')]);
  });

  it('given an append that names a user, then the store holds only ciphertext, readers see it plain, and the chain verifies', async () => {
    await sealed.append('consent-x', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    const [stored] = await rawEvents();
    expect(JSON.stringify(stored)).not.toMatch(/erin|Oslo|req-erin/);
    expect(stored.data.userId).toEqual({ enc: expect.any(String), kid: keys.liveKid('erin@example.org') });
    const [opened] = await sealed.readStream('consent-x');
    expect(opened.data).toEqual(revoked('erin@example.org').data);
    expect(opened.metadata).toMatchObject(revoked('erin@example.org').metadata);
    expect((await verifyLedger(raw.readAll(), { gapFreePositions: true })).ok).toBe(true);
    await raw.close();
    for (const f of ['events.db', 'events.db-wal']) {
      try {
        expect(readFileSync(join(dir, f)).includes(Buffer.from('erin@example.org'))).toBe(false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  });

  it('given the key destroyed, then every read (stream, log, subscription) shows the fields erased, and the chain still verifies', async () => {
    await sealed.append('consent-x', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    const kid = keys.liveKid('erin@example.org')!;
    keys.destroy(kid);
    const expected = { userId: erasedUserId(kid), reason: null, erased: true, clientId: 'app' };
    expect((await sealed.readStream('consent-x'))[0].data).toMatchObject(expected);
    const all: StoredEvent[] = [];
    for await (const e of sealed.readAll()) all.push(e);
    expect(all.map((e) => e.data)).toEqual([expect.objectContaining(expected)]);
    expect(await sealed.headPosition()).toBe(await raw.headPosition());
    const delivered = await new Promise<StoredEvent[]>((resolve) => {
      const sub = sealed.subscribeToAll({}, { onEvents: async (events) => (resolve(events), void sub.stop()) });
    });
    expect(delivered[0].data).toMatchObject(expected);
    expect(delivered[0].metadata).not.toHaveProperty('reason');
    expect(delivered[0].metadata).not.toHaveProperty('clientRequestId');
    expect((await verifyLedger(raw.readAll(), { gapFreePositions: true })).ok).toBe(true);
  });

  it('exports as stored, matching a user on what the sealed field says', async () => {
    await sealed.append('consent-y', [revoked('bob')], { expectedRevision: 'no_stream' });
    await sealed.append('consent-z', [revoked('carol')], { expectedRevision: 'no_stream' });
    const out: StoredEvent[] = [];
    for await (const e of exportEvents(raw, { userId: 'carol' }, (e) => sealed.open(e))) out.push(e);
    expect(out.map((e) => [e.stream, typeof e.data.userId])).toEqual([['consent-z', 'object']]);
    const unopened: StoredEvent[] = [];
    for await (const e of exportEvents(raw, { userId: 'carol' })) unopened.push(e);
    expect(unopened).toEqual([]);
  });

  it('passes events that name no user through unchanged, and seals another user under another key', async () => {
    await sealed.append('client-app', [{ type: 'ClientDisabled', data: { clientId: 'app', reason: 'abuse' }, metadata: { actor: 'a', correlationId: 'c' } }], { expectedRevision: 'no_stream' });
    await sealed.append('consent-y', [revoked('bob')], { expectedRevision: 'no_stream' });
    await sealed.append('consent-z', [revoked('carol')], { expectedRevision: 'no_stream' });
    const [client, bob, carol] = await rawEvents();
    expect(client.data).toEqual({ clientId: 'app', reason: 'abuse' });
    expect((bob.data.userId as { kid: string }).kid).not.toBe((carol.data.userId as { kid: string }).kid);
  });

  it('fails the read of a field sealed under a key this key store never held, rather than reading it as erased', async () => {
    await sealed.append('consent-x', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    const stranger = new SealedEventStore(raw, new MemoryKeys());
    await expect(stranger.readStream('consent-x')).rejects.toMatchObject({
      code: 'subject_key_unknown',
      category: 'unavailable',
      message: expect.stringMatching(/^event .+ \(position 0\) is sealed under subject key [0-9a-f]{32}, which this key store never held/),
    });
    // Closing it closes the store beneath.
    await stranger.close();
    await expect(raw.readStream('consent-x')).rejects.toThrow();
  });

  it('counts a lag without opening a field: a scrape or a probe of an instance far behind decrypts nothing', async () => {
    await sealed.append('consent-x', [revoked('erin@example.org'), revoked('bob')], { expectedRevision: 'no_stream' });
    // Under a key store that holds none of the keys, any opening would fail (subject_key_unknown).
    const stranger = new SealedEventStore(raw, new MemoryKeys());
    expect(await lagBehind(stranger, -1)).toMatchObject({ events: 2, capped: false });
    const envelopes: StoredEvent[] = [];
    for await (const e of stranger.readAll({ envelopes: true })) envelopes.push(e);
    expect(envelopes.map((e) => [e.stream, e.type, e.position])).toEqual([
      ['consent-x', 'TokenRevoked', 0],
      ['consent-x', 'TokenRevoked', 1],
    ]);
  });

  it('binds a sealed value to its event and field: moved, it does not open', () => {
    const key = randomBytes(32);
    const enc = sealString(key, 'erin', 'e1\u0000data.userId');
    expect(openString(key, enc, 'e1\u0000data.userId')).toBe('erin');
    expect(() => openString(key, enc, 'e2\u0000data.userId')).toThrow();
    expect(() => openString(key, enc, 'e1\u0000data.reason')).toThrow();
    expect(() => openString(randomBytes(32), enc, 'e1\u0000data.userId')).toThrow();
    expect(() => openString(key, 'c2hvcnQ', 'e1\u0000data.userId')).toThrow('a sealed field is too short');
    // The shortest sealed value, of an empty string: an IV and a tag, no ciphertext.
    expect(openString(key, sealString(key, '', 'c'), 'c')).toBe('');
    expect(openString(key, sealString(key, 'Tromsø ✓', 'c'), 'c')).toBe('Tromsø ✓');
    expect(sealString(key, 'erin', 'c')).not.toBe(sealString(key, 'erin', 'c'));
  });
});
