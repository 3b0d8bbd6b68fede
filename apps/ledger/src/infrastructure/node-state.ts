import Database from 'better-sqlite3';
import { join } from 'node:path';
import { preparePrivateDatabaseFile } from '@ledger/event-store';

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: string;
  createdAt: string;
}

/** Expired records are deleted at most this often, in one statement, rather than on every write. */
const PURGE_EVERY_MS = 60_000;

/**
 * State that belongs to this installation rather than to the ledger: idempotency records of stored responses. It
 * lives in its own SQLite file in the data directory (mode 0600), apart from the event log and the views. It holds
 * no secret: the token key lives outside the data directory (token-key.ts).
 */
export class NodeState {
  private readonly db: Database.Database;
  private readonly getRecord: Database.Statement<[string], IdempotencyRecord>;
  private readonly putRecord: Database.Statement<[string, string, number, string, string]>;
  private readonly dropRecord: Database.Statement<[string, string]>;
  private readonly purge: Database.Statement<[string]>;
  private readonly dropNaming: Database.Statement<[string]>;
  private lastPurgeMs = 0;

  constructor(
    dataDir: string,
    /** LEDGER_IDEMPOTENCY_TTL_SECONDS: a record older than this is as if it did not exist. */
    private readonly ttlMs: number,
  ) {
    const file = join(dataDir, 'node.db');
    preparePrivateDatabaseFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Freed cells are zeroed: an erased subject's stored answers must not linger in the file (docs/privacy.md).
    this.db.pragma('secure_delete = ON');
    NodeState.forgetOldSecret(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_at);
    `);
    this.getRecord = this.db.prepare('SELECT fingerprint, status, body, created_at AS createdAt FROM idempotency WHERE key = ?');
    this.putRecord = this.db.prepare('INSERT OR IGNORE INTO idempotency (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)');
    this.dropRecord = this.db.prepare('DELETE FROM idempotency WHERE key = ? AND created_at <= ?');
    this.purge = this.db.prepare('DELETE FROM idempotency WHERE created_at <= ?');
    this.dropNaming = this.db.prepare('DELETE FROM idempotency WHERE instr(body, ?) > 0');
  }

  /**
   * Earlier versions kept the token-derivation secret here, so a copy of the data directory could derive tokens.
   * It is no longer used; drop it and scrub it from the file: secure_delete zeroes freed pages, VACUUM rewrites the
   * file, and the checkpoint truncates the write-ahead log that may still hold old pages. Backups taken before
   * still hold it (docs/design.md, "Token key").
   */
  private static forgetOldSecret(db: Database.Database): void {
    const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'secrets'").get();
    if (!old) return;
    db.pragma('secure_delete = ON');
    db.exec('DROP TABLE secrets');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** The record for a key, unless it is older than the window (then it is deleted, and the key is free again). */
  idempotencyRecord(key: string, now: Date): IdempotencyRecord | undefined {
    const record = this.getRecord.get(key);
    if (!record) return undefined;
    const cutoff = this.cutoff(now);
    if (record.createdAt > cutoff) return record;
    this.dropRecord.run(key, cutoff);
    return undefined;
  }

  saveIdempotencyRecord(key: string, record: IdempotencyRecord): void {
    this.putRecord.run(key, record.fingerprint, record.status, record.body, record.createdAt);
    const nowMs = Date.parse(record.createdAt);
    if (nowMs - this.lastPurgeMs >= PURGE_EVERY_MS) {
      this.lastPurgeMs = nowMs;
      this.purge.run(this.cutoff(new Date(nowMs)));
    }
  }

  /**
   * Drops every stored answer that names the user (as a JSON string, which is how an answer names one), and empties
   * the write-ahead log that still holds their pages. A retry of such a request is then treated as a new one.
   */
  forgetAnswersNaming(userId: string): void {
    this.dropNaming.run(JSON.stringify(userId));
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** ISO timestamps of one format compare as strings; created_at at or before this is outside the window. */
  private cutoff(now: Date): string {
    return new Date(now.getTime() - this.ttlMs).toISOString();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
