import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
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
 * The embedded default store: one SQLite file in WAL mode with synchronous=FULL, so an append is on disk before
 * its promise resolves.
 *
 * Appends are group-committed: every append requested in the same turn of the event loop is written in ONE
 * transaction (one fsync), each inside its own savepoint so that one failed expectation does not undo its
 * neighbours. That is what lets thousands of commands per second stay durable without an fsync each.
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
  private closed = false;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();

  private readonly stmt: {
    streamHead: Database.Statement<[string], { revision: number | null }>;
    byId: Database.Statement<[string], Row | undefined>;
    insert: Database.Statement<[number, string, string, number, string, string, string, string]>;
    readStreamFwd: Database.Statement<[string, number, number], Row>;
    readStreamBwd: Database.Statement<[string, number, number], Row>;
    readAllFwd: Database.Statement<[number, number], Row>;
    readAllBwd: Database.Statement<[number, number], Row>;
    head: Database.Statement<[], { position: number | null }>;
    loadCheckpoint: Database.Statement<[string], { position: number } | undefined>;
    saveCheckpoint: Database.Statement<[string, number]>;
  };

  constructor(options: SqliteEventStoreOptions) {
    if (options.file === ':memory:') throw new EventStoreError('The SQLite event store needs a file: it promises durability');
    mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so an acknowledged append survives power loss, not just SIGKILL.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
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
      readStreamFwd: this.db.prepare(
        `SELECT ${cols} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      readStreamBwd: this.db.prepare(
        `SELECT ${cols} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      readAllFwd: this.db.prepare(`SELECT ${cols} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
      readAllBwd: this.db.prepare(`SELECT ${cols} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`),
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
    const writeOne = this.db.transaction((req: PendingAppend) => this.write(req));
    try {
      // IMMEDIATE takes the write lock up front, and the head is re-read under it: another process (the auditors'
      // CLI, say) may have written to the file since, and positions must stay gap-free and unique.
      this.db.transaction(() => {
        this.head = this.stmt.head.get()?.position ?? -1;
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
    batch.forEach((req, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) req.resolve(outcome.result);
      else req.reject(outcome.error);
    });
    if (this.head !== headBefore) this.appended.emit('appended', this.head);
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
        ? this.stmt.readStreamBwd.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, max)
        : this.stmt.readStreamFwd.all(stream, options.fromRevision ?? 0, max);
    return rows.map(toStoredEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    let cursor = options.after ?? (backwards ? Number.MAX_SAFE_INTEGER : -1);
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const page = 1000;
    while (remaining > 0) {
      const rows = backwards
        ? this.stmt.readAllBwd.all(cursor, Math.min(page, remaining))
        : this.stmt.readAllFwd.all(cursor, Math.min(page, remaining));
      if (rows.length === 0) return;
      for (const row of rows) {
        cursor = row.position;
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
        const rows = this.closed ? [] : this.stmt.readAllFwd.all(cursor, batchSize);
        if (rows.length > 0) {
          cursor = rows[rows.length - 1].position;
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
    return this.head;
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
    if (this.queue.length > 0) throw new EventStoreError('Cannot import while appends are pending');
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
    if (this.head !== headBefore) this.appended.emit('appended', this.head);
    return { nextRevision: revision, position: this.head };
  }

  /** The raw database, for tools that work below the port on the embedded store only (audit verify/tests). */
  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    // Flush what is queued so that no acknowledged-to-be append is dropped on a graceful close.
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.db.close();
  }
}

function matches(row: Row, filter?: EventFilter): boolean {
  if (row.type.startsWith('$')) return false;
  if (!filter) return true;
  if (filter.eventTypePrefixes && !filter.eventTypePrefixes.some((p) => row.type.startsWith(p))) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => row.stream.startsWith(p))) return false;
  return true;
}

function toStoredEvent(row: Row): StoredEvent {
  // Metadata is parsed on first use: the projections, the bulk of every read, never look at it, and parsing it cost
  // about a third of the JSON work of a rebuild. It is an own enumerable property like the others, so spreading,
  // JSON.stringify and deep equality see it as before.
  let metadata: StoredEvent['metadata'] | undefined;
  return {
    id: row.id,
    type: row.type,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
    data: JSON.parse(row.data),
    get metadata(): StoredEvent['metadata'] {
      return (metadata ??= JSON.parse(row.metadata));
    },
    set metadata(value: StoredEvent['metadata']) {
      metadata = value;
    },
  };
}
