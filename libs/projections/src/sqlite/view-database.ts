import Database from 'better-sqlite3';
import { existsSync, rmSync, statSync } from 'node:fs';
import { preparePrivateDatabaseFile, WalCheckpointer } from '@ledger/event-store';
import { registerUserKey } from './subject-erasure';

/**
 * Bumped whenever a view's layout changes: views are derived, so an older file is dropped and rebuilt from the log.
 * (Version 2 kept tokens in insertion order behind a narrow hash-key index: a faster rebuild, but two tree descents
 * per introspection, which cost more than it saved once a million tokens outgrew the page cache. Version 3 also kept
 * a clients view and a consents-by-client index that nothing read. Version 5: a token row is never revived by a second
 * TokenIssued; an older file may hold rows that were, so it is rebuilt. Version 6: tokens record their issue position, and revocations are cuts applied at lookup.
 * Version 7: a clients view again, which token lookups read (a disabled or narrowed client ends its tokens), and client cuts.
 * Version 8 was two layouts, made apart: client secrets in one, a users view and a ledger-wide cut in the other.
 * Version 9 holds both: client secrets (hashes, windows, revocations), which client authentication reads; a users
 * view and a ledger-wide cut, which token lookups read too (user-wide revocations, not-before); and consents that
 * record the user-wide revocations they were granted after. Version 10: consents record their expiry and their
 * grant's position (listed by client in that order), and tokens are indexed by consent, for the consent's token list.
 * Version 11: tokens say which kind they are (access or refresh) and their refresh-token family, and families have cuts.
 * Version 12: dependent consents (Globus's consent forest) in a table of their own, and tokens record the root's scope
 * a dependent token hangs on. Version 13: consents are indexed by their user's userKey, which an erasure finds them
 * by (subject-erasure.ts), and say whether they allow refresh.)
 */
const VIEW_SCHEMA_VERSION = 13;

const CHECKPOINT_SCHEMA = 'CREATE TABLE IF NOT EXISTS view_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 0), position INTEGER NOT NULL);';

/**
 * The SQLite file that holds the views of one ledger instance, and their checkpoint: its layout version, its
 * journal modes, and the checkpoint that commits in the same transaction as the view changes it covers.
 */
export class ViewDatabase {
  private db: Database.Database;
  private readonly readCheckpoint: Database.Statement<[], { position: number }>;
  private readonly writeCheckpoint: Database.Statement<[number]>;
  /** Runs while the file is journaled (WAL) and complete; never during a rebuild from 0, which leaves WAL mode. */
  private checkpointer?: WalCheckpointer;

  /** Why this file was started over, for the log line that says a rebuild begins; undefined when it was kept. */
  readonly startedOver?: string;

  constructor(readonly file: string) {
    const existed = existsSync(file) && statSync(file).size > 0;
    this.db = ViewDatabase.open(file);
    // Another layout, or a rebuild that never finished (it runs without a journal, see unjournaled): start over.
    const found = ViewDatabase.version(this.db);
    if (found !== VIEW_SCHEMA_VERSION) {
      this.startedOver = !existed
        ? 'there were no views'
        : found === 0
          ? 'the last rebuild did not finish'
          : `the views file has view schema ${found}, this build has ${VIEW_SCHEMA_VERSION}`;
      this.db.close();
      ViewDatabase.destroy(file);
      this.db = ViewDatabase.open(file);
      this.db.pragma(`user_version = ${VIEW_SCHEMA_VERSION}`);
    }
    this.db.exec(CHECKPOINT_SCHEMA);
    this.readCheckpoint = this.db.prepare('SELECT position FROM view_checkpoint WHERE id = 0');
    this.writeCheckpoint = this.db.prepare(
      'INSERT INTO view_checkpoint (id, position) VALUES (0, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
    );
    // Views that hold something are not rebuilt from 0 (ViewStore.startRebuild), so they stay in WAL mode; empty ones
    // get their checkpointer once the rebuild has caught up (journaled).
    if (this.checkpoint() !== undefined) this.checkpointOffTheEventLoop();
  }

  /**
   * The views' WAL is checkpointed by a worker thread (WalCheckpointer), as the event log's is: SQLite's automatic
   * checkpoint ran inside the apply transaction that crossed 1,000 WAL pages, on the event loop, copying about 4 MB
   * into the file and syncing it, a stall of every request in flight every few hundred revocations. Idempotent.
   */
  private checkpointOffTheEventLoop(): void {
    // Once a second, not the event log's 200 ms: each pass syncs views.db, on the disk the log's WAL syncs go to, and a
    // derived file need not reach it sooner; at 200 revocations/s that is about as often as SQLite's own checkpoint.
    this.checkpointer ??= new WalCheckpointer(this.db, this.file, { intervalMs: 1_000, onError: (error) => process.emitWarning(error) });
  }

  private static open(file: string): Database.Database {
    // Views hold user ids and consents like the log: 0600 with their -wal/-shm, before SQLite creates any of them.
    preparePrivateDatabaseFile(file);
    const db = new Database(file);
    registerUserKey(db);
    db.pragma('journal_mode = WAL');
    // NORMAL is enough: views are derived, and a lost tail is re-applied from the checkpoint committed with it.
    db.pragma('synchronous = NORMAL');
    // Freed cells and pages are zeroed: an erased subject's old rows must not linger in the file (docs/privacy.md).
    db.pragma('secure_delete = ON');
    // Token rows are keyed by random hashes; a 64 MB page cache keeps the upper levels of the tree and many leaves.
    db.pragma('cache_size = -65536');
    return db;
  }

  private static version(db: Database.Database): number {
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } catch {
      return -1;
    }
  }

  /** The connection, for the views that keep their tables in this file. */
  get connection(): Database.Database {
    return this.db;
  }

  /** Position of the last event applied, or undefined when the views are empty. */
  checkpoint(): number | undefined {
    return this.readCheckpoint.get()?.position;
  }

  /** Call inside the transaction that applied the changes up to `position`. */
  saveCheckpoint(position: number): void {
    this.writeCheckpoint.run(position);
  }

  /**
   * For a rebuild from 0: no write-ahead log or fsync, since nothing in the file is worth protecting until it has
   * caught up. user_version 0 marks the file as unfinished meanwhile, so a crash mid-rebuild makes the next start
   * throw the file away and rebuild again, instead of trusting half-written pages.
   */
  unjournaled(): void {
    // Leaving WAL mode needs the only connection to the file; the checkpointer holds another.
    if (this.checkpointer) throw new Error('views that hold events are never rebuilt from 0 in place');
    this.db.pragma('user_version = 0');
    this.db.pragma('journal_mode = MEMORY');
    this.db.pragma('synchronous = OFF');
  }

  /** Back to WAL after a rebuild, and the file marked complete. Idempotent. */
  journaled(): void {
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`user_version = ${VIEW_SCHEMA_VERSION}`);
    this.checkpointOffTheEventLoop();
  }

  async close(): Promise<void> {
    // The worker's last checkpoint and close come first, as for the event log: the owner's connection must be the last
    // to close, so that SQLite folds the WAL in and deletes it, and nothing touches the files once this resolves (a
    // test's rmSync of the directory, the next holder of the data directory's lock).
    // stop() is idempotent: a second close() meanwhile waits for the same worker.
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  /** Drops the views so that the next start rebuilds them from position 0. */
  static destroy(file: string): void {
    // -rebuild: the token staging file of a rebuild that did not finish (token-rebuild-staging.ts).
    for (const suffix of ['', '-wal', '-shm', '-rebuild']) rmSync(file + suffix, { force: true });
  }
}
