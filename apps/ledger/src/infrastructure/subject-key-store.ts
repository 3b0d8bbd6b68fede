import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openString, sealString, SubjectKeys } from '@ledger/audit';
import { userKey } from '@ledger/domain';
import { preparePrivateDatabaseFile } from '@ledger/event-store';
import { secretFileOnce } from './secret-file';

export const SUBJECT_KEYS_FILE = 'subject-keys.db';
export const SUBJECT_KEK_FILE = 'subject-kek';
const KEK_BYTES = 32;
const CACHE_LIMIT = 100_000;
/**
 * How long a live key is trusted from memory. Another instance sharing the store may destroy it meanwhile; past this,
 * the row is read again. A destroyed key is remembered for good.
 */
const LIVE_KEY_TTL_MS = 2_000;

/** LEDGER_SUBJECT_KEK (base64 or base64url of 32 bytes), or the KEK file in the secrets directory, made at the first start. */
export const parseSubjectKek = (raw: string, source: string) => {
  const kek = Buffer.from(raw.trim(), 'base64');
  if (kek.length !== KEK_BYTES) throw new Error(`${source}: the subject key-encryption key must be ${KEK_BYTES} bytes, base64 (openssl rand -base64 32)`);
  return { kek, source };
};

export function loadSubjectKek(secretsDir: string, fromEnv: string | undefined): { kek: Buffer; source: string } {
  const parse = parseSubjectKek;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parse(fromEnv, 'LEDGER_SUBJECT_KEK');
  const { file } = secretFileOnce(secretsDir, SUBJECT_KEK_FILE, () => `${randomBytes(KEK_BYTES).toString('base64url')}\n`);
  return parse(readFileSync(file, 'utf8'), file);
}

interface KeyRow {
  kid: string;
  wrapped: string | null;
}

interface KidRow extends KeyRow {
  subject: string | null;
}

/**
 * The subject keys (docs/privacy.md, "Keys"), in their own SQLite file in the secrets directory, never the data
 * directory: a copy of the data directory opens no sealed field. Each key is stored wrapped (AES-256-GCM) by the
 * key-encryption key, with its kid as AAD. A subject is found by userKey (the hash its user stream is named by, so
 * the file names no one the log does not already name that way); an erasure drops the wrapped key and that link,
 * and keeps the kid with its time, so that a field sealed under it reads as erased rather than as a key this store
 * never held. secure_delete and a truncated log leave no copy of a destroyed key in the file.
 */
export class SqliteSubjectKeys implements SubjectKeys {
  private readonly db: Database.Database;
  private readonly keys = new Map<string, { key: Buffer | 'erased'; until: number }>();
  private readonly live = new Map<string, { kid: string; until: number }>();
  private readonly s: ReturnType<SqliteSubjectKeys['prepare']>;
  private readonly walFd: number;
  /** Keys committed since the last WAL sync started: the next sync covers them. */
  private readonly unsynced = new Set<string>();
  /** Keys committed before the WAL sync in flight started, each with that sync: it covers them. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The WAL sync in flight, and the one queued behind it for keys committed meanwhile. */
  private syncing?: Promise<void>;
  private queuedSync?: Promise<void>;
  /** After a failed sync nothing is known to be durable any more (see GroupCommitWriter): no key is handed out. */
  private syncFailed?: Error;
  /**
   * PRAGMA data_version when the last completed sync started: every commit of another connection before that moment
   * is on disk. A key read from the file while data_version still says so is durable; otherwise it is not known to
   * be: another instance sharing this store may have committed it and not synced it yet, or a process that died
   * before its sync left it in the page cache only. Reused with no sync, a power loss could then keep the events
   * sealed under it (the log syncs its own file) and lose the key. Such a key waits for this instance's next sync,
   * which covers it: fdatasync writes the file's dirty pages whoever wrote them. Undefined until the first sync.
   */
  private syncedVersion?: number;
  private readonly dataVersion: Database.Statement<[], number>;

  /** How many keys the start re-wrapped from the previous KEK to the current one (rotation: docs/privacy.md). */
  readonly rewrapped: number;

  constructor(
    dir: string,
    private readonly kek: Buffer,
    /** LEDGER_SUBJECT_KEK_PREVIOUS: keys still wrapped by it are re-wrapped by `kek` at the start. */
    previousKek?: Buffer,
    /** Syncs the WAL (node's fs.fdatasync); injectable so that a test can hold a sync back. */
    private readonly sync: typeof fdatasync = fdatasync,
  ) {
    const file = join(dir, SUBJECT_KEYS_FILE);
    preparePrivateDatabaseFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // A key must be on stable storage before the first event sealed under it is appended. The commit does not sync
    // (NORMAL): durable() fdatasyncs the WAL on libuv's thread pool, one sync covering every key created before it,
    // and SealedEventStore.append waits for it. With FULL, every new subject cost a synchronous fsync on the event
    // loop, which stalled every request (the commands bench: GrantConsent creates a subject each).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.exec('CREATE TABLE IF NOT EXISTS subject_keys (kid TEXT PRIMARY KEY, subject TEXT UNIQUE, wrapped TEXT, created_at TEXT NOT NULL, erased_at TEXT)');
    // A read opens the WAL, which SQLite then keeps (same inode, rewound in place) while this connection is open.
    this.db.prepare('SELECT count(*) FROM subject_keys').get();
    this.walFd = openSync(`${file}-wal`, 'r');
    this.s = this.prepare();
    this.rewrapped = previousKek ? this.rewrap(previousKek) : 0;
    // data_version changes only with other connections' commits, never this one's.
    this.dataVersion = this.db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /**
   * KEK rotation: every live key that the current KEK does not open but the previous one does is wrapped again by the
   * current one, in one transaction. No event changes, and no subject key changes (the sealed fields stay as they
   * are); once it has run on every copy of the key store, the previous KEK can be destroyed.
   */
  private rewrap(previous: Buffer): number {
    const rows = this.db.prepare<[], KeyRow>('SELECT kid, wrapped FROM subject_keys WHERE wrapped IS NOT NULL').all();
    const update = this.db.prepare<[string, string]>('UPDATE subject_keys SET wrapped = ? WHERE kid = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const row of rows) {
        const context = `subject-key\u0000${row.kid}`;
        try {
          openString(this.kek, row.wrapped!, context);
          continue;
        } catch {
          // Not the current KEK's: the previous one's, or neither (then the read below says so).
        }
        const key = openString(previous, row.wrapped!, context);
        update.run(sealString(this.kek, key, context), row.kid);
        n++;
      }
    })();
    if (n > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return n;
  }

  private prepare() {
    const db = this.db;
    return {
      bySubject: db.prepare<[string], KeyRow>('SELECT kid, wrapped FROM subject_keys WHERE subject = ?'),
      byKid: db.prepare<[string], KidRow>('SELECT kid, subject, wrapped FROM subject_keys WHERE kid = ?'),
      insert: db.prepare<[string, string, string, string]>('INSERT INTO subject_keys (kid, subject, wrapped, created_at) VALUES (?, ?, ?, ?)'),
      destroy: db.prepare<[string, string]>('UPDATE subject_keys SET wrapped = NULL, subject = NULL, erased_at = ? WHERE kid = ? AND erased_at IS NULL'),
    };
  }

  keyFor(userId: string): { kid: string; key: Buffer } {
    if (this.syncFailed) throw new Error('The subject key store could not sync a key to disk; restart it', { cause: this.syncFailed });
    const subject = userKey(userId);
    const kid = this.liveKidOf(subject);
    if (kid !== undefined) {
      const key = this.key(kid);
      if (key instanceof Buffer) return { kid, key };
    }
    const created = { kid: randomBytes(16).toString('hex'), key: randomBytes(32) };
    this.s.insert.run(created.kid, subject, this.wrap(created.kid, created.key), new Date().toISOString());
    this.unsynced.add(created.kid);
    this.remember(this.keys, created.kid, { key: created.key, until: Date.now() + LIVE_KEY_TTL_MS });
    this.remember(this.live, subject, { kid: created.kid, until: Date.now() + LIVE_KEY_TTL_MS });
    return created;
  }

  liveKid(userId: string): string | undefined {
    return this.liveKidOf(userKey(userId));
  }

  private liveKidOf(subject: string): string | undefined {
    const cached = this.live.get(subject);
    if (cached !== undefined && cached.until > Date.now()) return cached.kid;
    const row = this.s.bySubject.get(subject);
    if (row?.wrapped) {
      this.readFromFile(row.kid);
      this.remember(this.live, subject, { kid: row.kid, until: Date.now() + LIVE_KEY_TTL_MS });
    }
    return row?.wrapped ? row.kid : undefined;
  }

  key(kid: string): Buffer | 'erased' | undefined {
    const cached = this.keys.get(kid);
    if (cached !== undefined && cached.until > Date.now()) return cached.key;
    const row = this.s.byKid.get(kid);
    if (!row) return undefined;
    const key = row.wrapped === null ? 'erased' : this.unwrap(kid, row.wrapped);
    if (key !== 'erased') this.readFromFile(kid);
    this.remember(this.keys, kid, { key, until: key === 'erased' ? Infinity : Date.now() + LIVE_KEY_TTL_MS });
    // The row names the subject whose live key this is (one per subject): the command that opened an event of theirs
    // seals its own event under the same key next, and finds it here instead of reading the file again.
    if (key !== 'erased' && row.subject !== null) this.remember(this.live, row.subject, { kid, until: Date.now() + LIVE_KEY_TTL_MS });
    return key;
  }

  destroy(kid: string): void {
    this.s.destroy.run(new Date().toISOString(), kid);
    this.keys.set(kid, { key: 'erased', until: Infinity });
    for (const [subject, live] of this.live) if (live.kid === kid) this.live.delete(subject);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Waits only for the syncs that cover the keys named. A key is durable once a sync that started after its commit
   * has completed (for a key read from the file, see syncedVersion): the append sealed under it goes at once then,
   * even while another subject's new key is syncing.
   */
  durable(kids: Iterable<string>): Promise<void> {
    if (this.syncFailed) return Promise.reject(this.syncFailed);
    let wait: Promise<void> | undefined;
    for (const kid of kids) {
      if (this.unsynced.has(kid)) return this.nextSync();
      wait ??= this.inFlight.get(kid);
    }
    return wait ?? Promise.resolve();
  }

  close(): void {
    if (this.db.open) {
      this.db.close();
      closeSync(this.walFd);
    }
  }

  /**
   * The first sync that starts after now: it covers every key committed so far, and completes after the one in flight
   * (which covers the rest), so waiting for it covers any key named.
   */
  private nextSync(): Promise<void> {
    if (!this.syncing) return this.startSync();
    // The sync in flight started before this key was committed: the next one covers it, and every key until it starts.
    return (this.queuedSync ??= this.syncing.then(
      () => this.startSync(),
      () => this.startSync(),
    ));
  }

  /** A key found in the file, not created here: durable only if no other connection has committed since the last sync. */
  private readFromFile(kid: string): void {
    if (this.syncedVersion === undefined || this.dataVersion.get() !== this.syncedVersion) this.unsynced.add(kid);
  }

  private startSync(): Promise<void> {
    if (this.syncFailed) return Promise.reject(this.syncFailed);
    const version = this.dataVersion.get();
    const covered = [...this.unsynced];
    this.unsynced.clear();
    this.queuedSync = undefined;
    const sync = new Promise<void>((resolve, reject) =>
      this.sync(this.walFd, (error) => {
        if (this.syncing === sync) this.syncing = undefined;
        // Its keys are durable now; after a failure nothing is (syncFailed), and durable() says so first.
        for (const kid of covered) this.inFlight.delete(kid);
        if (error) {
          this.syncFailed ??= error;
          reject(error);
        } else {
          this.syncedVersion = version;
          resolve();
        }
      }),
    );
    for (const kid of covered) this.inFlight.set(kid, sync);
    this.syncing = sync;
    return sync;
  }

  private unwrap(kid: string, wrapped: string): Buffer {
    try {
      return Buffer.from(openString(this.kek, wrapped, `subject-key\u0000${kid}`), 'base64');
    } catch {
      throw new Error(`subject key ${kid} does not open with the subject key-encryption key: set the KEK it was wrapped by (LEDGER_SUBJECT_KEK, or LEDGER_SUBJECT_KEK_PREVIOUS while rotating)`);
    }
  }

  private wrap(kid: string, key: Buffer): string {
    return sealString(this.kek, key.toString('base64'), `subject-key\u0000${kid}`);
  }

  private remember<V>(map: Map<string, V>, k: string, v: V): void {
    if (map.size >= CACHE_LIMIT) map.clear();
    map.set(k, v);
  }
}
