import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: string;
  createdAt: string;
}

/**
 * State that belongs to this installation rather than to the ledger: secrets and idempotency records. It lives in
 * its own SQLite file in the data directory (mode 0600), apart from the event log and the views.
 */
export class NodeState {
  private readonly db: Database.Database;
  private readonly secrets = new Map<string, Buffer>();
  private readonly getRecord: Database.Statement<[string], IdempotencyRecord>;
  private readonly putRecord: Database.Statement<[string, string, number, string, string]>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'node.db');
    this.db = new Database(file);
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
    `);
    this.getRecord = this.db.prepare('SELECT fingerprint, status, body, created_at AS createdAt FROM idempotency WHERE key = ?');
    this.putRecord = this.db.prepare('INSERT OR IGNORE INTO idempotency (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** A 256-bit secret, created on first use and kept for the life of the installation. */
  secret(name: string): Buffer {
    let value = this.secrets.get(name);
    if (value) return value;
    this.db.prepare('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)').run(name, randomBytes(32));
    value = (this.db.prepare('SELECT value FROM secrets WHERE name = ?').get(name) as { value: Buffer }).value;
    this.secrets.set(name, value);
    return value;
  }

  idempotencyRecord(key: string): IdempotencyRecord | undefined {
    return this.getRecord.get(key);
  }

  saveIdempotencyRecord(key: string, record: IdempotencyRecord): void {
    this.putRecord.run(key, record.fingerprint, record.status, record.body, record.createdAt);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
