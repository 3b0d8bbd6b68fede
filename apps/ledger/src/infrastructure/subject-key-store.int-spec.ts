import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealedEventStore } from '@ledger/audit';
import { SqliteEventStore } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import { SqliteSubjectKeys, SUBJECT_KEYS_FILE } from './subject-key-store';

/** A WAL sync that completes when the test says so: each one started is pushed to `held`. */
const holdSyncs = (held: Array<() => void>) => ((fd: number, done: (e: NodeJS.ErrnoException | null) => void) => held.push(() => done(null))) as never;

/** durable([kid]) is pending until the one sync it started (held) completes; then resolves. Returns whether it did. */
async function waitsForOneSync(keys: SqliteSubjectKeys, kid: string, held: Array<() => void>): Promise<boolean> {
  let durable = false;
  const waiting = keys.durable([kid]).then(() => (durable = true));
  await new Promise((r) => setImmediate(r));
  expect(durable).toBe(false);
  expect(held).toHaveLength(1);
  held.shift()!();
  await waiting;
  return durable;
}

describe('SqliteSubjectKeys: the subject key store', () => {
  let dir: string;
  const kekA = randomBytes(32);
  const kekB = randomBytes(32);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-subject-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one live key per subject, durably, in a private file that names no subject', () => {
    const keys = new SqliteSubjectKeys(dir, kekA);
    const a = keys.keyFor('erin@example.org');
    expect(keys.keyFor('erin@example.org')).toEqual(a);
    expect(keys.keyFor('bob').kid).not.toBe(a.kid);
    expect(keys.liveKid('erin@example.org')).toBe(a.kid);
    expect(keys.liveKid('nobody')).toBeUndefined();
    keys.close();
    const again = new SqliteSubjectKeys(dir, kekA);
    expect(again.key(a.kid)).toEqual(a.key);
    expect(again.key('0'.repeat(32))).toBeUndefined();
    again.close();
    expect(statSync(join(dir, SUBJECT_KEYS_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, SUBJECT_KEYS_FILE)).includes(Buffer.from('erin@example.org'))).toBe(false);
    expect(readFileSync(join(dir, SUBJECT_KEYS_FILE)).includes(a.key)).toBe(false);
  });

  it('given a key read by its id (an event of its subject opened), when the subject seals next, then the file is not read for it again', () => {
    const writer = new SqliteSubjectKeys(dir, kekA);
    const { kid, key } = writer.keyFor('erin@example.org');
    writer.close();
    const keys = new SqliteSubjectKeys(dir, kekA);
    expect(keys.key(kid)).toEqual(key);
    const bySubject = jest.spyOn((keys as unknown as { s: { bySubject: { get: () => unknown } } }).s.bySubject, 'get');
    expect(keys.keyFor('erin@example.org')).toEqual({ kid, key });
    expect(keys.liveKid('erin@example.org')).toBe(kid);
    expect(bySubject).not.toHaveBeenCalled();
    keys.close();
  });

  it('says a new key is durable only once a WAL sync that started after its commit has completed', async () => {
    const held: Array<() => void> = [];
    const keys = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs(held));
    const settled: string[] = [];
    expect(await keys.durable([])).toBeUndefined(); // no key named: nothing to wait for
    const erin = keys.keyFor('erin@example.org').kid;
    const first = keys.durable([erin]).then(() => settled.push('erin'));
    const bob = keys.keyFor('bob').kid; // committed while the first sync is in flight: it needs the next one
    const second = keys.durable([bob]).then(() => settled.push('bob'));
    // erin's key rides on the sync in flight, whatever bob's needs.
    const erinMeanwhile = keys.durable([erin]).then(() => settled.push('erin meanwhile'));
    const both = keys.durable([erin, bob]).then(() => settled.push('both'));
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1);
    expect(settled).toEqual([]);
    held.shift()!();
    await Promise.all([first, erinMeanwhile]);
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['erin', 'erin meanwhile']);
    expect(held).toHaveLength(1);
    // erin's key is durable: an append sealed under it goes while bob's sync is still held back.
    void keys.durable([erin]).then(() => settled.push('erin again'));
    await waitUntil(() => settled.includes('erin again'), { what: "erin's durable key, while bob's sync is held back" });
    expect(settled).toEqual(['erin', 'erin meanwhile', 'erin again']);
    held.shift()!();
    await Promise.all([second, both]);
    expect(settled).toEqual(['erin', 'erin meanwhile', 'erin again', 'bob', 'both']);
    keys.keyFor('erin@example.org'); // an existing key commits nothing
    await keys.durable([erin, bob]);
    expect(held).toHaveLength(0);
    keys.close();
  });

  it('given a key a process committed and died before syncing, when a new instance reuses it, then an append sealed under it waits for a sync', async () => {
    // The dead process: its key committed, its sync never done (held for ever), its connection never closed (a clean
    // close would checkpoint the WAL and sync the file).
    const dead = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs([]));
    const erin = dead.keyFor('erin@example.org').kid;
    const held: Array<() => void> = [];
    const next = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs(held));
    expect(next.keyFor('erin@example.org').kid).toBe(erin);
    expect(await waitsForOneSync(next, erin, held)).toBe(true);
    next.close();
    dead.close();
  });

  it('given two instances sharing the store, when one reuses a key the other committed after its last sync, then it waits for a sync of its own', async () => {
    const held: Array<() => void> = [];
    const mine = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs(held));
    // A sync of mine completes: what was in the file then is durable.
    const bob = mine.keyFor('bob').kid;
    const bobDurable = mine.durable([bob]);
    held.shift()!();
    await bobDurable;
    // The other instance commits erin's key and has not synced it (held for ever).
    const other = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs([]));
    const erin = other.keyFor('erin@example.org').kid;
    expect(mine.keyFor('erin@example.org').kid).toBe(erin);
    await waitsForOneSync(mine, erin, held);
    other.close();
    mine.close();
  });

  it('given a burst of new subjects whose sync is held back, then a sealed append under an old key goes at once, and one under a new key waits', async () => {
    const held: Array<() => void> = [];
    const keys = new SqliteSubjectKeys(dir, kekA, undefined, holdSyncs(held));
    const raw = new SqliteEventStore({ file: join(dir, 'events.db') });
    const sealed = new SealedEventStore(raw, keys);
    const revoked = (userId: string) => ({ type: 'TokenRevoked', data: { consentId: 'cns_x_1', userId, clientId: 'app', tokenId: 'tok_1', reason: 'r' }, metadata: { actor: 'a', correlationId: 'c' } });
    const logged = async () => {
      let n = 0;
      for await (const _ of raw.readAll()) n++;
      return n;
    };
    const old = sealed.append('consent-old', [revoked('erin@example.org')], { expectedRevision: 'no_stream' });
    await new Promise((r) => setImmediate(r));
    held.shift()!();
    await old;
    const burst = sealed.append('consent-new', [revoked('new-user')], { expectedRevision: 'no_stream' });
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1); // new-user's key is syncing, held back
    let again = false;
    void sealed.append('consent-old', [revoked('erin@example.org')], { expectedRevision: 0 }).then(() => (again = true));
    await waitUntil(() => again, { what: "the append under erin's synced key, while new-user's sync is held back" });
    expect(await raw.readStream('consent-old')).toHaveLength(2);
    expect(held).toHaveLength(1);
    expect(await logged()).toBe(2); // new-user's event is not in the log before its key is on disk
    held.shift()!();
    await burst;
    expect(await logged()).toBe(3);
    await sealed.close();
    keys.close();
  });

  it('destroys a key for good: it reads as erased from then on, and the subject gets a new key if it comes back', () => {
    const keys = new SqliteSubjectKeys(dir, kekA);
    const a = keys.keyFor('erin@example.org');
    const peek = new Database(join(dir, SUBJECT_KEYS_FILE), { readonly: true });
    const { wrapped } = peek.prepare<[string], { wrapped: string }>('SELECT wrapped FROM subject_keys WHERE kid = ?').get(a.kid)!;
    peek.close();
    expect(wrapped).toMatch(/^[A-Za-z0-9_-]{60,}$/);
    keys.destroy(a.kid);
    keys.destroy(a.kid);
    expect(keys.key(a.kid)).toBe('erased');
    expect(keys.liveKid('erin@example.org')).toBeUndefined();
    expect(keys.keyFor('erin@example.org').kid).not.toBe(a.kid);
    keys.close();
    const again = new SqliteSubjectKeys(dir, kekA);
    expect(again.key(a.kid)).toBe('erased');
    again.close();
    for (const f of [SUBJECT_KEYS_FILE, `${SUBJECT_KEYS_FILE}-wal`]) {
      try {
        expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain(wrapped);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  });

  it('rotates the key-encryption key by re-wrapping: the subject keys stay the same', () => {
    const keys = new SqliteSubjectKeys(dir, kekA);
    const a = keys.keyFor('erin@example.org');
    const b = keys.keyFor('bob');
    keys.destroy(b.kid);
    keys.close();
    expect(() => new SqliteSubjectKeys(dir, kekB).key(a.kid)).toThrow(/does not open with the subject key-encryption key/);
    const rotating = new SqliteSubjectKeys(dir, kekB, kekA);
    expect(rotating.rewrapped).toBe(1);
    expect(rotating.key(a.kid)).toEqual(a.key);
    rotating.close();
    const rotated = new SqliteSubjectKeys(dir, kekB, kekA);
    expect(rotated.rewrapped).toBe(0);
    rotated.close();
    const done = new SqliteSubjectKeys(dir, kekB);
    expect(done.key(a.kid)).toEqual(a.key);
    expect(done.key(b.kid)).toBe('erased');
    done.close();
  });
});
