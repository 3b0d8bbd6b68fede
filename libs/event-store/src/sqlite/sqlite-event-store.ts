import Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
import {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  EventToAppend,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { EventStoreError } from '../event-store.errors';
import { SqliteCheckpoints } from './sqlite-checkpoints';
import { GroupCommitWriter, WalSync } from './sqlite-group-commit-writer';
import { RecordedEventToImport, importRecordedEvents } from './sqlite-import';
import { EventStatements, POSITION, matches, openEventDatabase, prepareEventStatements, toStoredEvent } from './sqlite-schema';
import { SqliteSubscriptions } from './sqlite-subscription';
import { preparePrivateDatabaseFile } from './private-files';
import { WalCheckpointer } from './wal-checkpointer';

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
  fdatasync?: WalSync;
}

/**
 * The embedded default store: one SQLite file in WAL mode. An append is on stable storage before its promise
 * resolves, and before any subscription or read of this instance can see it (GroupCommitWriter says how).
 *
 * This class composes the parts: the schema and its statements, the group-commit writer, the live subscriptions,
 * the checkpoints table and the import path. Every read is bounded by the writer's readLimit, so nothing unsynced
 * is ever handed out.
 */
export class SqliteEventStore implements EventStore, CheckpointStore {
  private readonly db: Database.Database;
  private readonly stmt: EventStatements;
  private readonly writer: GroupCommitWriter;
  private readonly subscriptions: SqliteSubscriptions;
  private readonly checkpoints: SqliteCheckpoints;
  private readonly walFd: number;
  private readonly checkpointer: WalCheckpointer;
  private closed = false;

  constructor(options: SqliteEventStoreOptions) {
    if (options.file === ':memory:') throw new EventStoreError('The SQLite event store needs a file: it promises durability');
    // The log holds personal data: the file and its -wal/-shm are 0600, a new directory 0700.
    preparePrivateDatabaseFile(options.file);
    this.db = openEventDatabase(options.file);
    // The WAL file exists once the schema has been written through it, and SQLite keeps it (same inode, rewound in
    // place after checkpoints) for as long as this connection is open.
    this.walFd = openSync(`${options.file}-wal`, 'r');
    this.stmt = prepareEventStatements(this.db);
    // Checkpoints off the event loop: see WalCheckpointer. Its failure turns SQLite's own back on, and is told.
    this.checkpointer = new WalCheckpointer(this.db, options.file, { onError: (error) => process.emitWarning(error) });
    this.checkpoints = new SqliteCheckpoints(this.db);
    this.subscriptions = new SqliteSubscriptions(
      (after, max) => (this.closed ? [] : this.stmt.readAllFwd.all(after, this.writer.readLimit, max)),
      options.pollIntervalMs ?? 250,
    );
    this.writer = new GroupCommitWriter({
      db: this.db,
      statements: this.stmt,
      walFd: this.walFd,
      sync: options.fdatasync ?? fdatasync,
      now: options.now ?? (() => new Date()),
      onDurable: () => this.subscriptions.notify(),
    });
  }

  append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreError('Event store is closed'));
    return this.writer.append(stream, events, options);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const limit = this.writer.readLimit;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readStreamBwd.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit, max)
        : this.stmt.readStreamFwd.all(stream, options.fromRevision ?? 0, limit, max);
    return rows.map(toStoredEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    let cursor = options.after ?? (backwards ? Number.MAX_SAFE_INTEGER : -1);
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const page = 1000;
    while (remaining > 0) {
      const rows = backwards
        ? this.stmt.readAllBwd.all(cursor, this.writer.readLimit, Math.min(page, remaining))
        : this.stmt.readAllFwd.all(cursor, this.writer.readLimit, Math.min(page, remaining));
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
    return this.subscriptions.subscribe(options, handler);
  }

  async headPosition(): Promise<number> {
    // After a failed sync the store serves no writes: saying so here turns /health/ready down (the store check).
    return this.writer.durableHead();
  }

  load(name: string): Promise<number | undefined> {
    return this.checkpoints.load(name);
  }

  save(name: string, position: number): Promise<void> {
    return this.checkpoints.save(name, position);
  }

  /** `ledger audit import`: see importRecordedEvents. */
  importEvents(events: readonly RecordedEventToImport[]): AppendResult {
    if (this.closed) throw new EventStoreError('Event store is closed');
    return importRecordedEvents(this.db, this.stmt, this.writer, events);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.subscriptions.stopAll();
    await this.writer.drain();
    this.closed = true;
    await this.checkpointer.stop();
    this.db.close();
    closeSync(this.walFd);
  }
}
