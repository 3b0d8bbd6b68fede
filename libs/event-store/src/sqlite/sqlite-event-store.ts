import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventFilter,
  EventStore,
  EventToAppend,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { EventStoreError, WrongExpectedVersionError } from '../event-store.errors';

/**
 * A row as the read statements return it: an array in `cols` order (better-sqlite3's raw mode). Building an object
 * with eight named properties per row cost more than SQLite reading it: raw rows read about 1.7x faster, and every
 * reader (projections, the publisher, audit exports) reads through here.
 */
type RawRow = [position: number, id: string, stream: string, revision: number, type: string, recordedAt: string, data: string, metadata: string];
const POSITION = 0;
const STREAM = 2;
const TYPE = 4;

interface Row {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  recorded_at: string;
  data: string;
  metadata: string;
}

interface PendingAppend {
  stream: string;
  events: EventToAppend[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export interface SqliteEventStoreOptions {
  /** Path of the database file; ':memory:' is refused because the store promises durability. */
  file: string;
  /**
   * How often a live subscription looks for events written by another process (the CLI importing into the same
   * file, say). Appends made through this instance wake subscriptions at once and never wait for this.
   */
  pollIntervalMs?: number;
  /** Clock for recordedAt; injectable so that replay tests can write history at chosen instants. */
  now?: () => Date;
  /**
   * Flushes the write-ahead log to stable storage; node's fs.fdatasync by default. Injectable so that tests can hold
   * a sync back and see that nothing is acknowledged or delivered before it completes.
   */
  fdatasync?: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
}

interface Committed {
  /** Highest position this batch wrote (or the head when it wrote nothing). */
  head: number;
  settle(): void;
  fail(error: unknown): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY,
  id          TEXT    NOT NULL UNIQUE,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  UNIQUE (stream, revision)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  name     TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);
`;

/**
 * The embedded default store: one SQLite file in WAL mode. An append is on stable storage before its promise
 * resolves, and before any subscription or read of this instance can see it.
 *
 * Appends are group-committed: every append requested in the same turn of the event loop is written in ONE
 * transaction, each inside its own savepoint so that one failed expectation does not undo its neighbours.
 *
 * Durability without blocking the event loop: better-sqlite3 is synchronous, and with synchronous=FULL every commit
 * stalled the whole process for the length of an fsync (0.2-1 ms here, far more on a busy disk), HTTP and Kafka
 * included. So the connection commits with synchronous=NORMAL (no fsync at commit) and the store fdatasyncs the WAL
 * file itself on libuv's thread pool: one sync in flight at a time, covering every commit made before it started
 * (classic group commit). Appends are acknowledged, and their events become visible to reads and subscriptions,
 * only once the sync covering them has completed; so nothing can be published, projected or answered from an event
 * that a power cut could still take back. SQLite's own syncs around checkpoints (NORMAL keeps them) protect the
 * database file as before.
 *
 * Positions are assigned by this single writer as head + 1, so the global position is gap-free.
 */
export class SqliteEventStore implements EventStore, CheckpointStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly now: () => Date;
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
  private readonly walFd: number;
  private readonly sync: NonNullable<SqliteEventStoreOptions['fdatasync']>;
  private closed = false;
  /** Set when a WAL sync failed: no further append is accepted (see syncWal). */
  private failed?: Error;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();

  private readonly stmt: {
    streamHead: Database.Statement<[string], { revision: number | null }>;
    byId: Database.Statement<[string], Row | undefined>;
    insert: Database.Statement<[number, string, string, number, string, string, string, string]>;
    readStreamFwd: Database.Statement<[string, number, number, number], RawRow>;
    readStreamBwd: Database.Statement<[string, number, number, number], RawRow>;
    readAllFwd: Database.Statement<[number, number, number], RawRow>;
    readAllBwd: Database.Statement<[number, number, number], RawRow>;
    head: Database.Statement<[], { position: number | null }>;
    loadCheckpoint: Database.Statement<[string], { position: number } | undefined>;
    saveCheckpoint: Database.Statement<[string, number]>;
  };

  constructor(options: SqliteEventStoreOptions) {
    if (options.file === ':memory:') throw new EventStoreError('The SQLite event store needs a file: it promises durability');
    mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL: no fsync at commit; this store syncs the WAL itself, off the event loop, before acknowledging (above).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // The WAL file exists once the schema has been written through it, and SQLite keeps it (same inode, rewound in
    // place after checkpoints) for as long as this connection is open.
    this.walFd = openSync(`${options.file}-wal`, 'r');
    this.sync = options.fdatasync ?? fdatasync;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.now = options.now ?? (() => new Date());
    this.appended.setMaxListeners(0);
    const cols = 'position, id, stream, revision, type, recorded_at, data, metadata';
    this.stmt = {
      streamHead: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      byId: this.db.prepare(`SELECT ${cols} FROM events WHERE id = ?`),
      insert: this.db.prepare(
        'INSERT INTO events (position, id, stream, revision, type, recorded_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      readStreamFwd: this.db
        .prepare<[string, number, number, number], RawRow>(
          `SELECT ${cols} FROM events WHERE stream = ? AND revision >= ? AND position < ? ORDER BY revision ASC LIMIT ?`,
        )
        .raw(true),
      readStreamBwd: this.db
        .prepare<[string, number, number, number], RawRow>(
          `SELECT ${cols} FROM events WHERE stream = ? AND revision <= ? AND position < ? ORDER BY revision DESC LIMIT ?`,
        )
        .raw(true),
      readAllFwd: this.db
        .prepare<[number, number, number], RawRow>(`SELECT ${cols} FROM events WHERE position > ? AND position < ? ORDER BY position ASC LIMIT ?`)
        .raw(true),
      readAllBwd: this.db
        .prepare<[number, number, number], RawRow>(`SELECT ${cols} FROM events WHERE position < ? AND position < ? ORDER BY position DESC LIMIT ?`)
        .raw(true),
      head: this.db.prepare('SELECT MAX(position) AS position FROM events'),
      loadCheckpoint: this.db.prepare('SELECT position FROM checkpoints WHERE name = ?'),
      saveCheckpoint: this.db.prepare(
        'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
      ),
    };
    this.head = this.stmt.head.get()?.position ?? -1;
  }

  append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreError('Event store is closed'));
    if (events.length === 0) return Promise.reject(new EventStoreError('Nothing to append'));
    if (this.failed) return Promise.reject(new EventStoreError('Event store stopped accepting writes after a failed disk sync; restart it', { cause: this.failed }));
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const headBefore = this.head;
    let firstNew = headBefore + 1;
    const writeOne = this.db.transaction((req: PendingAppend) => this.write(req));
    try {
      // IMMEDIATE takes the write lock up front, and the head is re-read under it: another process (the auditors'
      // CLI, say) may have written to the file since, and positions must stay gap-free and unique.
      this.db.transaction(() => {
        this.head = this.stmt.head.get()?.position ?? -1;
        firstNew = this.head + 1;
        for (const req of batch) {
          const headAtSavepoint = this.head;
          try {
            outcomes.push({ ok: true, result: writeOne(req) });
          } catch (error) {
            this.head = headAtSavepoint;
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
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
        this.appended.emit('appended', syncedHead);
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

  /** Exclusive upper bound for reads: events still waiting for their sync are not visible yet. */
  private get readLimit(): number {
    return this.unsyncedFrom === Infinity ? Number.MAX_SAFE_INTEGER : this.unsyncedFrom;
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

    const recordedAt = this.now().toISOString();
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

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readStreamBwd.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, this.readLimit, max)
        : this.stmt.readStreamFwd.all(stream, options.fromRevision ?? 0, this.readLimit, max);
    return rows.map(toStoredEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    let cursor = options.after ?? (backwards ? Number.MAX_SAFE_INTEGER : -1);
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const page = 1000;
    while (remaining > 0) {
      const rows = backwards
        ? this.stmt.readAllBwd.all(cursor, this.readLimit, Math.min(page, remaining))
        : this.stmt.readAllFwd.all(cursor, this.readLimit, Math.min(page, remaining));
      if (rows.length === 0) return;
      for (const row of rows) {
        cursor = row[POSITION];
        if (!matches(row, options.filter)) continue;
        remaining -= 1;
        yield toStoredEvent(row);
        if (remaining === 0) return;
      }
    }
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    let stopped = false;
    let wake: (() => void) | undefined;
    // Set by every append; cleared before each read. An append that lands while the handler is busy must not be
    // lost, or the subscription would sleep until the next poll with the event already written.
    let dirty = false;
    const onAppended = () => {
      dirty = true;
      wake?.();
    };
    this.appended.on('appended', onAppended);
    const batchSize = options.maxBatchSize ?? 2000;

    const run = async () => {
      let cursor = options.after ?? -1;
      let caughtUp = false;
      while (!stopped) {
        dirty = false;
        const rows = this.closed ? [] : this.stmt.readAllFwd.all(cursor, this.readLimit, batchSize);
        if (rows.length > 0) {
          cursor = rows[rows.length - 1][POSITION];
          const events = rows.filter((r) => matches(r, options.filter)).map(toStoredEvent);
          if (events.length > 0) await handler.onEvents(events);
          // Let HTTP requests in between catch-up batches.
          if (rows.length === batchSize) await yieldToLoop();
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          handler.onCaughtUp?.();
        }
        if (dirty || stopped) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    };

    const done = run()
      .catch((error: unknown) => {
        if (!stopped) {
          stopped = true;
          handler.onError?.(error instanceof Error ? error : new Error(String(error)));
        }
      })
      .finally(() => this.appended.off('appended', onAppended));

    const subscription = {
      stop: async () => {
        stopped = true;
        wake?.();
        await done;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    // After a failed sync the store serves no writes: saying so here turns /health/ready down (the store check).
    if (this.failed) throw new EventStoreError('Event store stopped accepting writes after a failed disk sync; restart it', { cause: this.failed });
    return Math.min(this.head, this.readLimit - 1);
  }

  async load(name: string): Promise<number | undefined> {
    return this.stmt.loadCheckpoint.get(name)?.position;
  }

  async save(name: string, position: number): Promise<void> {
    this.stmt.saveCheckpoint.run(name, position);
  }

  /**
   * The import path of `ledger audit import`, below the port and on the embedded store only: writes events exactly
   * as another store recorded them (id, stream, revision, type, data, metadata, recordedAt) in one transaction.
   * Positions are assigned here, gap-free, as for any append. Each event must continue its stream at exactly the
   * next revision, so an import can only produce a coherent ledger; the caller checks the store was empty first.
   */
  importEvents(events: readonly Omit<StoredEvent, 'position'>[]): AppendResult {
    if (this.closed) throw new EventStoreError('Event store is closed');
    if (this.queue.length > 0 || this.syncing || this.awaitingSync.length > 0) throw new EventStoreError('Cannot import while appends are pending');
    const headBefore = this.head;
    let revision = -1;
    try {
      this.db.transaction(() => {
        for (const e of events) {
          const current = this.stmt.streamHead.get(e.stream)?.revision ?? -1;
          if (e.revision !== current + 1) throw new WrongExpectedVersionError(e.stream, e.revision - 1, current);
          this.head += 1;
          revision = e.revision;
          this.stmt.insert.run(this.head, e.id, e.stream, e.revision, e.type, e.recordedAt, JSON.stringify(e.data), JSON.stringify(e.metadata));
        }
      })();
    } catch (error) {
      this.head = headBefore;
      throw error instanceof EventStoreError ? error : new EventStoreError('Import failed', { cause: error });
    }
    // Synchronous here: the import is the CLI's one long write, and it reports success only once it is on disk.
    fdatasyncSync(this.walFd);
    if (this.head !== headBefore) this.appended.emit('appended', this.head);
    return { nextRevision: revision, position: this.head };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    // Flush what is queued and wait for its sync, so that no acknowledged-to-be append is dropped on a graceful close.
    if (this.queue.length > 0) this.flush();
    await this.whenSynced();
    this.closed = true;
    this.db.close();
    closeSync(this.walFd);
  }
}

function matches(row: RawRow, filter?: EventFilter): boolean {
  const type = row[TYPE];
  if (type.startsWith('$')) return false;
  if (!filter) return true;
  if (filter.eventTypePrefixes && !filter.eventTypePrefixes.some((p) => type.startsWith(p))) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => row[STREAM].startsWith(p))) return false;
  return true;
}

function toStoredEvent(row: RawRow): StoredEvent {
  const [position, id, stream, revision, type, recordedAt, data, rawMetadata] = row;
  // Metadata is parsed on first use: the projections, the bulk of every read, never look at it, and parsing it cost
  // about a third of the JSON work of a rebuild. It is an own enumerable property like the others, so spreading,
  // JSON.stringify and deep equality see it as before.
  let metadata: StoredEvent['metadata'] | undefined;
  return {
    id,
    type,
    stream,
    revision,
    position,
    recordedAt,
    data: JSON.parse(data),
    get metadata(): StoredEvent['metadata'] {
      return (metadata ??= JSON.parse(rawMetadata));
    },
    set metadata(value: StoredEvent['metadata']) {
      metadata = value;
    },
  };
}
