import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSubjectKeys, SUBJECT_KEYS_FILE } from './subject-key-store';

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

  it('says a new key is durable only once a WAL sync that started after its commit has completed', async () => {
    const held: Array<() => void> = [];
    const keys = new SqliteSubjectKeys(dir, kekA, undefined, ((fd: number, done: (e: NodeJS.ErrnoException | null) => void) => held.push(() => done(null))) as never);
    const settled: string[] = [];
    expect(await keys.durable()).toBeUndefined(); // nothing created: nothing to wait for
    keys.keyFor('erin@example.org');
    const first = keys.durable().then(() => settled.push('erin'));
    keys.keyFor('bob'); // committed while the first sync is in flight: it needs the next one
    const second = keys.durable().then(() => settled.push('bob'));
    const existing = keys.durable().then(() => settled.push('bob again'));
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1);
    expect(settled).toEqual([]);
    held.shift()!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['erin']);
    expect(held).toHaveLength(1);
    held.shift()!();
    await Promise.all([second, existing]);
    expect(settled).toEqual(['erin', 'bob', 'bob again']);
    keys.keyFor('erin@example.org'); // an existing key commits nothing
    await keys.durable();
    expect(held).toHaveLength(0);
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
