import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { fdatasyncSync } from 'node:fs';
import { AppendOptions, AppendResult, EventToAppend } from '../event-store.port';
import { EventStoreError, WrongExpectedVersionError } from '../event-store.errors';
import { EventStatements, Row } from './sqlite-schema';

/** Flushes the write-ahead log to stable storage, in the shape of node's fs.fdatasync. */
export type WalSync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

interface PendingAppend {
  stream: string;
  events: EventToAppend[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

interface Committed {
  /** Highest position this batch wrote (or the head when it wrote nothing). */
  head: number;
  settle(): void;
  fail(error: unknown): void;
}

export interface GroupCommitWriterOptions {
  db: Database.Database;
  statements: EventStatements;
  /** Open descriptor of the WAL file, which this writer syncs. */
  walFd: number;
  sync: WalSync;
  /** Clock for recordedAt. */
  now: () => Date;
  /** Called with the new durable head whenever events became visible (after their sync). */
  onDurable: (head: number) => void;
}

/**
 * The single writer of the embedded store, and the reason an append is on stable storage before its promise resolves
 * and before any subscription or read of this instance can see it.
 *
 * Appends are group-committed: every append requested in the same turn of the event loop is written in ONE
 * transaction, each inside its own savepoint so that one failed expectation does not undo its neighbours.
 *
 * Durability without blocking the event loop: better-sqlite3 is synchronous, and with synchronous=FULL every commit
 * stalled the whole process for the length of an fsync (0.2-1 ms here, far more on a busy disk), HTTP and Kafka
 * included. So the connection commits with synchronous=NORMAL (no fsync at commit) and this writer fdatasyncs the WAL
 * file itself on libuv's thread pool: one sync in flight at a time, covering every commit made before it started
 * (classic group commit). Appends are acknowledged, and their events become visible to reads and subscriptions,
 * only once the sync covering them has completed; so nothing can be published, projected or answered from an event
 * that a power cut could still take back. SQLite's own syncs around checkpoints (NORMAL keeps them) protect the
 * database file as before.
 *
 * Positions are assigned by this single writer as head + 1, so the global position is gap-free.
 */
export class GroupCommitWriter {
  private readonly db: Database.Database;
  private readonly stmt: EventStatements;
  private readonly walFd: number;
  private readonly sync: WalSync;
  private readonly now: () => Date;
  private readonly onDurable: (head: number) => void;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private head: number;
  /**
   * Events at or above this position were committed by this instance but are not yet on stable storage: reads stop
   * just below it. Infinity when everything committed here is synced. Events other processes wrote (the auditors'
   * CLI) are synced by them and readable at once.
   */
  private unsyncedFrom = Infinity;
  /** Committed batches waiting for the next sync, in commit order. */
  private awaitingSync: Committed[] = [];
  private syncing = false;
  private syncIdle?: Promise<void>;
  private resolveSyncIdle?: () => void;
  /** Set when a WAL sync failed: no further append is accepted (see syncWal). */
  private failed?: Error;
  private readonly recordedAtOf: Database.Statement<[number], { recordedAt: string }>;
  /** recordedAt of the head, re-read under the write lock with the head: no append is recorded before it. */
  private lastRecordedAt?: string;
  /**
   * The batch's transaction, made once: better-sqlite3's transaction() builds five wrapper functions each time it is
   * called, and making them per flush was about 3 % of everything the service allocated per revocation at 200/s.
   */
  private readonly writeBatch: (batch: PendingAppend[], outcomes: Outcome[]) => number;

  constructor(options: GroupCommitWriterOptions) {
    this.db = options.db;
    this.stmt = options.statements;
    this.walFd = options.walFd;
    this.sync = options.sync;
    this.now = options.now;
    this.onDurable = options.onDurable;
    this.head = this.stmt.head.get()?.position ?? -1;
    this.recordedAtOf = this.db.prepare('SELECT recorded_at AS recordedAt FROM events WHERE position = ?');
    // Each append in a savepoint of its own (a nested transaction), so that a refused one undoes only itself.
    const writeOne = this.db.transaction((req: PendingAppend) => this.write(req));
    // IMMEDIATE takes the write lock up front, and the head is re-read under it: another process (the auditors'
    // CLI, say) may have written to the file since, and positions must stay gap-free and unique.
    this.writeBatch = this.db.transaction((batch: PendingAppend[], outcomes: Outcome[]) => {
      this.head = this.stmt.head.get()?.position ?? -1;
      this.lastRecordedAt = this.head < 0 ? undefined : this.recordedAtOf.get(this.head)?.recordedAt;
      const firstNew = this.head + 1;
      for (const req of batch) {
        const headAtSavepoint = this.head;
        try {
          outcomes.push({ ok: true, result: writeOne(req) });
        } catch (error) {
          this.head = headAtSavepoint;
          outcomes.push({ ok: false, error });
        }
      }
      return firstNew;
    }).immediate;
  }

  append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new EventStoreError('Nothing to append'));
    if (this.failed) return Promise.reject(this.stoppedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Exclusive upper bound for reads: events still waiting for their sync are not visible yet. */
  get readLimit(): number {
    return this.unsyncedFrom === Infinity ? Number.MAX_SAFE_INTEGER : this.unsyncedFrom;
  }

  /** The last durable position; throws once a sync has failed, because the store then serves no writes. */
  durableHead(): number {
    if (this.failed) throw this.stoppedError();
    return Math.min(this.head, this.readLimit - 1);
  }

  /** Writes what is queued and waits for its sync, so that no acknowledged-to-be append is dropped on a graceful close. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    await this.whenSynced();
  }

  /**
   * Writes outside the group commit (the import path): `write` gets the head, writes from head + 1 on in a
   * transaction of its own and returns the new head. The WAL is synced synchronously before this returns. Refused
   * while appends are pending, so positions stay gap-free and nothing overtakes an unsynced batch.
   */
  commitSynchronously(write: (head: number) => number): number {
    if (this.queue.length > 0 || this.syncing || this.awaitingSync.length > 0) throw new EventStoreError('Cannot import while appends are pending');
    const headBefore = this.head;
    this.head = write(headBefore);
    fdatasyncSync(this.walFd);
    if (this.head !== headBefore) this.onDurable(this.head);
    return this.head;
  }

  private stoppedError(): EventStoreError {
    return new EventStoreError('Event store stopped accepting writes after a failed disk sync; restart it', { cause: this.failed });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    const headBefore = this.head;
    let firstNew: number;
    try {
      firstNew = this.writeBatch(batch, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      this.head = headBefore;
      for (const req of batch) req.reject(new EventStoreError('Append failed to commit', { cause: error }));
      return;
    }
    if (this.head >= firstNew && this.unsyncedFrom === Infinity) this.unsyncedFrom = firstNew;
    this.awaitingSync.push({
      head: this.head,
      // Refusals (wrong expected revision) wrote nothing, but they are answered in commit order with the rest.
      settle: () =>
        batch.forEach((req, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) req.resolve(outcome.result);
          else req.reject(outcome.error);
        }),
      fail: (error) => batch.forEach((req) => req.reject(new EventStoreError('Append committed but could not be synced to disk', { cause: error }))),
    });
    this.syncWal();
  }

  /**
   * Starts a WAL sync unless one is in flight; it covers every batch committed so far. When it completes, those
   * batches are acknowledged and their events released to readers; batches committed meanwhile wait for the next.
   */
  private syncWal(): void {
    if (this.syncing || this.awaitingSync.length === 0) return;
    this.syncing = true;
    const covered = this.awaitingSync;
    this.awaitingSync = [];
    this.sync(this.walFd, (error) => {
      this.syncing = false;
      if (error) {
        // The events are committed and will be read back after a restart, but their durability is not known: the
        // callers hear so, and nothing is released to readers in this process. Nor is anything appended after it:
        // after a failed fsync Linux may mark the pages clean without writing them, so a later sync that succeeds
        // proves nothing. The store refuses writes until a restart re-reads the file (what PostgreSQL does).
        this.failed ??= error;
        for (const c of covered) c.fail(error);
        for (const c of this.awaitingSync.splice(0)) c.fail(error);
      } else {
        const syncedHead = covered[covered.length - 1].head;
        this.unsyncedFrom = this.awaitingSync.length > 0 && this.head > syncedHead ? syncedHead + 1 : Infinity;
        for (const c of covered) c.settle();
        this.onDurable(syncedHead);
      }
      if (this.awaitingSync.length > 0) this.syncWal();
      else {
        this.resolveSyncIdle?.();
        this.syncIdle = this.resolveSyncIdle = undefined;
      }
    });
  }

  /** Resolves once every committed batch has been synced (or failed to). */
  private whenSynced(): Promise<void> {
    if (!this.syncing && this.awaitingSync.length === 0) return Promise.resolve();
    return (this.syncIdle ??= new Promise<void>((resolve) => (this.resolveSyncIdle = resolve)));
  }

  /** Runs inside a savepoint of the group transaction. */
  private write(req: PendingAppend): AppendResult {
    const { stream, events, options } = req;
    const current = this.stmt.streamHead.get(stream)?.revision ?? -1;

    // EventStoreDB's idempotence rule: a retried append whose event ids are already stored, in order, in this
    // stream is acknowledged again without writing.
    const firstId = events[0].id;
    if (firstId !== undefined) {
      const existing = this.stmt.byId.get(firstId);
      if (existing) return this.idempotentResult(stream, events, existing);
    }

    const expected = options.expectedRevision;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current !== -1) ||
      (typeof expected === 'number' && expected === current);
    if (!ok) throw new WrongExpectedVersionError(stream, expected, current);

    // recordedAt never decreases along the log, even when the clock steps back (NTP): audit verify checks exactly
    // that, so a recordedAt moved by hand shows (docs/audit.md).
    const now = this.now();
    const recordedAt = this.lastRecordedAt !== undefined && Date.parse(this.lastRecordedAt) > now.getTime() ? this.lastRecordedAt : now.toISOString();
    this.lastRecordedAt = recordedAt;
    let revision = current;
    for (const event of events) {
      revision += 1;
      this.head += 1;
      this.stmt.insert.run(
        this.head,
        event.id ?? randomUUID(),
        stream,
        revision,
        event.type,
        recordedAt,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      );
    }
    return { nextRevision: revision, position: this.head };
  }

  private idempotentResult(stream: string, events: EventToAppend[], first: Row): AppendResult {
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const row = i === 0 ? first : this.stmt.byId.get(events[i].id ?? '');
      if (!row || row.stream !== stream || row.revision !== first.revision + i) {
        throw new EventStoreError(`Event ids of this append are partly stored already in ${stream}; refusing a partial retry`);
      }
      last = row;
    }
    return { nextRevision: last.revision, position: last.position };
  }
}
