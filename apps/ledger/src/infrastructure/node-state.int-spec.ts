import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../../../../test/support/ledger-app';
import { NodeState } from './node-state';

describe('NodeState (node.db)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('forgets the token-derivation secret an earlier version kept, down to the bytes in the file and its WAL', () => {
    const secret = randomBytes(32);
    // node.db as earlier versions left it: the secret, written long before, in WAL mode.
    const old = new Database(join(data.dir, 'node.db'));
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)');
    old.prepare('INSERT INTO secrets (name, value) VALUES (?, ?)').run('token-derivation', secret);
    old.close();

    const state = new NodeState(data.dir, 60_000);
    state.saveIdempotencyRecord('k', { fingerprint: 'f', status: 201, body: '{}', createdAt: new Date().toISOString() });
    state.close();
    for (const file of readdirSync(data.dir)) expect([file, readFileSync(join(data.dir, file)).includes(secret)]).toEqual([file, false]);
    const db = new Database(join(data.dir, 'node.db'), { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'secrets'").all()).toEqual([]);
    db.close();
  });

  it('a record older than the window is as if it did not exist, and the key is free for a new record', () => {
    const state = new NodeState(data.dir, 60_000);
    const t0 = new Date('2026-03-01T00:00:00.000Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);
    state.saveIdempotencyRecord('key-1', { fingerprint: 'first', status: 201, body: '{"n":1}', createdAt: t0.toISOString() });
    expect(state.idempotencyRecord('key-1', later(59_999))).toMatchObject({ fingerprint: 'first' });
    expect(state.idempotencyRecord('key-1', later(60_000))).toBeUndefined();
    state.saveIdempotencyRecord('key-1', { fingerprint: 'second', status: 201, body: '{"n":2}', createdAt: later(60_000).toISOString() });
    expect(state.idempotencyRecord('key-1', later(60_001))).toMatchObject({ fingerprint: 'second' });
    state.close();
  });
});
