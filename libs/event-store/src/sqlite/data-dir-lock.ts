import Database from 'better-sqlite3';
import { join } from 'node:path';
import { preparePrivateDatabaseFile } from './private-files';

export const DATA_DIR_LOCK_FILE = 'ledger.lock';

/** Another live process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(`the data directory ${dataDir} is in use by another ledger process (it holds ${join(dataDir, DATA_DIR_LOCK_FILE)}); stop it first, or use another LEDGER_DATA_DIR`);
    this.name = 'DataDirLockedError';
  }
}

/**
 * The single-writer lock on a data directory: an exclusive SQLite transaction on a dedicated file, `ledger.lock`,
 * held open for as long as the holder lives (docs/design.md, "One process per data directory").
 *
 * SQLite's exclusive lock is an OS advisory lock (fcntl) on the open file, so the kernel drops it when the process
 * dies, SIGKILL included: no pid file to go stale, nothing to clean up. It is a file of its own, not events.db,
 * because events.db runs in WAL mode, where readers and the writer coexist by design: the auditors' read-only
 * commands keep working next to the service, while a second writer (another service, `ledger audit import`) is
 * refused. The lock database never holds anything; the open transaction is all it is for.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Takes the lock or throws DataDirLockedError at once (no waiting: a second writer is a mistake, not a queue). */
  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, DATA_DIR_LOCK_FILE);
    preparePrivateDatabaseFile(file);
    const db = new Database(file, { timeout: 0 });
    try {
      // EXCLUSIVE locking mode keeps the lock after any transaction too; BEGIN EXCLUSIVE takes it now.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir);
      throw error;
    }
    return new DataDirLock(db, file);
  }

  release(): void {
    if (!this.db.open) return;
    this.db.exec('ROLLBACK');
    this.db.close();
  }
}
