import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, ReadPosition, START, StreamNotFoundError, jsonEvent } from '@eventstore/db-client';
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
import { translateError } from './esdb-errors';
import { EsdbCheckpointStore, EsdbCheckpointStoreOptions } from './esdb-checkpoint-store';
import { ClientRecordedEvent, isSystemEventType, matches, metadataToEsdb, toEsdbExpected, toPosition, toStoredEvent } from './esdb-mapping';
import { EsdbReconnectOptions, EsdbSubscription } from './esdb-subscription';

export type { EsdbReconnectOptions } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  reconnect?: EsdbReconnectOptions;
  /** Events per $all read request while iterating readAll() / looking for the head. Default 500. */
  readPageSize?: number;
  /** Batch bound when a subscriber gives no maxBatchSize. Default 500. */
  defaultMaxBatchSize?: number;
  checkpoints?: EsdbCheckpointStoreOptions;
}

/**
 * EventStoreDB adapter of the event-store port, on @eventstore/db-client (gRPC).
 *
 * - Events are JSON events; our metadata is the event's JSON metadata, with correlationId / causationId stored under
 *   EventStoreDB's own `$correlationId` / `$causationId` keys (so that projections like $by_correlation_id see them).
 * - `position` is the event's commit position, which equals its prepare position for every event read back (each
 *   event of an implicit transaction is its own commit point). Positions are increasing but not gap-free.
 * - System events ($-prefixed types) are never delivered by readAll / subscribeToAll, and headPosition() ignores them,
 *   so a consumer's last delivered position can reach the head.
 * - Event ids are passed through (or made up here), so the server's idempotence rule is all there is: a retry with
 *   the same ids and an exact expected revision (or no_stream) is recognised at any age, because the server compares
 *   them with the stream; with 'any' / 'stream_exists' only while they are in its bounded cache of recent ids.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly pageSize: number;
  private closed = false;
  private checkpointStore?: EsdbCheckpointStore;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions = {},
  ) {
    this.pageSize = Math.max(2, options.readPageSize ?? 500);
  }

  /** Checkpoints kept in EventStoreDB through the same connection. */
  get checkpoints(): CheckpointStore {
    this.checkpointStore ??= new EsdbCheckpointStore(this.client, this.options.checkpoints);
    return this.checkpointStore;
  }

  async append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new EventStoreError('Nothing to append');
    const expected = options.expectedRevision;
    const proposed = events.map((e) =>
      jsonEvent({ id: e.id ?? randomUUID(), type: e.type, data: e.data, metadata: metadataToEsdb(e.metadata) }),
    );
    let result;
    try {
      result = await this.client.appendToStream(stream, proposed, { expectedRevision: toEsdbExpected(expected) });
    } catch (error) {
      throw translateError(error, `append to ${stream}`, { stream, expected });
    }
    const nextRevision = Number(result.nextExpectedRevision);
    // EventStoreDB 22.6+ answers the position of the last event written (of the last one already stored, on an
    // idempotent re-append) as both commit and prepare, for one event or many: the position $all reads and
    // subscriptions give that event. No position at all, or commit != prepare (older servers answered a multi-event
    // write with its first prepare), is not that position: then the stored last event itself says where it is.
    if (result.position && result.position.commit === result.position.prepare) {
      return { nextRevision, position: Number(result.position.commit) };
    }
    const [stored] = await this.readStream(stream, { fromRevision: nextRevision, maxCount: 1 });
    if (!stored) throw new EventStoreError(`Append to ${stream} succeeded but revision ${nextRevision} cannot be read`);
    return { nextRevision, position: stored.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const fromRevision =
      options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START;
    const out: StoredEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision,
        maxCount,
      });
      for await (const resolved of read) {
        if (resolved.event) out.push(toStoredEvent(resolved.event as ClientRecordedEvent));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateError(error, `read of ${stream}`);
    }
    return out;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (remaining <= 0) return;
    // Exclusive bound; positions are >= 0, so a negative `after` means "from the start" forwards and "nothing" backwards.
    let after = options.after;
    if (after !== undefined && after < 0) {
      if (backwards) return;
      after = undefined;
    }
    for (;;) {
      const fromPosition: ReadPosition = after === undefined ? (backwards ? END : START) : toPosition(after);
      const page = await this.readAllPage(fromPosition, backwards);
      for (const event of page) {
        const position = Number(event.position!.commit);
        // Forward reads include the event at fromPosition, backward reads do not; skip the bound either way.
        if (after !== undefined && (backwards ? position >= after : position <= after)) continue;
        after = position;
        if (!matches(event.type, event.streamId, options.filter)) continue;
        yield toStoredEvent(event);
        if (--remaining === 0) return;
      }
      if (page.length < this.pageSize) return;
    }
  }

  /**
   * One bounded $all read, consumed to its end before anything is handed out: a client read abandoned half-way
   * stays registered in the client (and makes dispose() wait for it), so pages are read whole instead.
   */
  private async readAllPage(fromPosition: ReadPosition, backwards: boolean, maxCount = this.pageSize): Promise<ClientRecordedEvent[]> {
    const page: ClientRecordedEvent[] = [];
    try {
      const read = this.client.readAll({ fromPosition, direction: backwards ? BACKWARDS : FORWARDS, maxCount });
      for await (const resolved of read) {
        if (resolved.event) page.push(resolved.event as ClientRecordedEvent);
      }
    } catch (error) {
      throw translateError(error, 'read of $all');
    }
    return page;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new EsdbSubscription(
      this.client,
      options,
      handler,
      options.maxBatchSize ?? this.options.defaultMaxBatchSize ?? 500,
      this.options.reconnect ?? {},
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    // Usually the very last event; system events (checkpoints, stream metadata, …) are skipped.
    const pageSize = 32;
    let after: number | undefined;
    for (;;) {
      const page = await this.readAllPage(after === undefined ? END : toPosition(after), true, pageSize);
      for (const event of page) {
        after = Number(event.position!.commit);
        if (!isSystemEventType(event.type)) return after;
      }
      if (page.length < pageSize) return -1;
    }
  }

  /**
   * Beyond the port, for the composition root: `$maxCount` on a stream whose history nobody needs (the leader lease,
   * renewed every few seconds). Older events vanish from reads at once and from disk at the next scavenge.
   */
  async keepLatest(stream: string, count: number): Promise<void> {
    this.assertOpen();
    try {
      const { metadata } = await this.client.getStreamMetadata(stream);
      if (metadata?.maxCount !== count) await this.client.setStreamMetadata(stream, { ...metadata, maxCount: count });
    } catch (error) {
      throw translateError(error, `metadata of ${stream}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    // dispose() cancels the client's open calls and waits for them to finish; never let a stuck call block shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.dispose().catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('Event store is closed');
  }
}

/** Connects lazily: nothing is sent until the first call. */
export function createEsdbEventStore(connectionString: string, options?: EsdbEventStoreOptions): EsdbEventStore {
  return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
}
