import { randomUUID } from 'node:crypto';
import {
  ANY,
  AllStreamSubscription,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  Filter,
  NO_STREAM,
  Position,
  ReadPosition,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventFilter,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { EventStoreError, EventStoreUnavailableError } from '../event-store.errors';
import { isTransient, translateError } from './esdb-errors';
import { EsdbCheckpointStore, EsdbCheckpointStoreOptions } from './esdb-checkpoint-store';

export interface EsdbReconnectOptions {
  /** First wait before resubscribing after a dropped subscription; doubles on every failed attempt. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of the wait. Default 5 s. */
  maxDelayMs?: number;
  /** Consecutive failed attempts after which the subscription reports the store as failed for good. Default 30. */
  maxAttempts?: number;
}

export interface EsdbEventStoreOptions {
  reconnect?: EsdbReconnectOptions;
  /** Events per $all read request while iterating readAll() / looking for the head. Default 500. */
  readPageSize?: number;
  /** Batch bound when a subscriber gives no maxBatchSize. Default 500. */
  defaultMaxBatchSize?: number;
  checkpoints?: EsdbCheckpointStoreOptions;
}

/** Shape of a recorded event as the client hands it over (JSON or binary). */
interface ClientRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  position?: Position;
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
    // A single-event write reports the event's own position (commit == prepare). A multi-event write reports the
    // transaction's first prepare and its commit, and an idempotent re-append may come back without a position: then
    // the stored last event itself says where it is.
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

// ---------------------------------------------------------------------------------------------------------------
// Subscription

class HandlerFailure {
  constructor(readonly error: Error) {}
}

/**
 * A catch-up subscription to $all that survives dropped connections.
 *
 * Events are pulled from the client stream (paused mode), so while the handler runs nothing more is read and gRPC
 * flow control holds the server back. Every batch is what is already buffered when the previous one was handled, up
 * to maxBatchSize, and never crosses the caught-up point. On a transient failure the subscription is recreated, after
 * an exponential backoff, from the position of the last event handed to the handler: nothing is lost or repeated.
 */
class EsdbSubscription implements Subscription {
  private stopped = false;
  private current?: AllStreamSubscription;
  private lastPosition?: number;
  private caughtUpReported = false;
  private wake?: () => void;
  private done: Promise<void> = Promise.resolve();
  private readonly serverFilter: Filter;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
    private readonly maxBatchSize: number,
    private readonly reconnect: EsdbReconnectOptions,
    private readonly onFinished: () => void,
  ) {
    this.lastPosition = options.after !== undefined && options.after >= 0 ? options.after : undefined;
    this.serverFilter = toServerFilter(options.filter);
  }

  start(): void {
    this.done = this.run()
      .catch((error: unknown) => {
        // Only reachable when the owner's own onError callback threw; keep it visible without crashing the loop.
        process.emitWarning(`Subscription onError callback threw: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.onFinished());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.release();
    await this.done;
  }

  private async run(): Promise<void> {
    const initialDelay = this.reconnect.initialDelayMs ?? 100;
    const maxDelay = this.reconnect.maxDelayMs ?? 5_000;
    const maxAttempts = this.reconnect.maxAttempts ?? 30;
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.consume(() => (attempt = 0));
        if (this.stopped) return;
        throw new EventStoreUnavailableError('EventStoreDB ended the subscription');
      } catch (error) {
        this.release();
        if (this.stopped) return;
        if (error instanceof HandlerFailure) return this.fail(error.error);
        if (!isTransient(error)) return this.fail(translateError(error, 'subscription to $all'));
        attempt += 1;
        if (attempt > maxAttempts) return this.fail(translateError(error, 'subscription to $all'));
        await this.sleep(Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)));
      }
    }
  }

  /** Runs one client subscription until it fails (throws) or ends (returns). */
  private async consume(onProgress: () => void): Promise<void> {
    const fromPosition = this.lastPosition === undefined ? START : toPosition(this.lastPosition);
    const sub = this.client.subscribeToAll({ fromPosition, filter: this.serverFilter });
    this.current = sub;
    let failure: unknown;
    let ended = false;
    let read = 0;
    let caughtUpAt: number | undefined;
    const signal = () => this.wake?.();
    sub.on('readable', signal);
    sub.on('error', (error: unknown) => {
      failure ??= error;
      signal();
    });
    sub.on('end', () => {
      ended = true;
      signal();
    });
    sub.on('confirmation', onProgress);
    sub.on('caughtUp', () => {
      // Everything received before the marker is buffered now; it is history.
      caughtUpAt ??= read + sub.readableLength;
      signal();
    });

    while (!this.stopped) {
      if (failure !== undefined) throw failure;
      const batch: StoredEvent[] = [];
      while (batch.length < this.maxBatchSize && (caughtUpAt === undefined || this.caughtUpReported || read < caughtUpAt)) {
        const resolved = sub.read() as { event?: ClientRecordedEvent } | null;
        if (resolved === null) break;
        read += 1;
        const event = resolved.event;
        if (event && matches(event.type, event.streamId, this.options.filter)) batch.push(toStoredEvent(event));
      }
      if (batch.length > 0) {
        try {
          await this.handler.onEvents(batch);
        } catch (error) {
          throw new HandlerFailure(error instanceof Error ? error : new Error(String(error)));
        }
        this.lastPosition = batch[batch.length - 1].position;
        onProgress();
        continue;
      }
      if (caughtUpAt !== undefined && read >= caughtUpAt && !this.caughtUpReported) {
        this.caughtUpReported = true;
        try {
          this.handler.onCaughtUp?.();
        } catch (error) {
          throw new HandlerFailure(error instanceof Error ? error : new Error(String(error)));
        }
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // Re-check after arming: a signal may only come with the next event.
        if (this.stopped || failure !== undefined || ended || sub.readableLength > 0) resolve();
      });
      this.wake = undefined;
    }
  }

  private release(): void {
    const sub = this.current;
    this.current = undefined;
    if (!sub) return;
    sub.removeAllListeners('readable');
    sub.removeAllListeners('caughtUp');
    sub.removeAllListeners('confirmation');
    sub.removeAllListeners('end');
    // Keep an error listener: a late error must not become an uncaught 'error' event.
    sub.removeAllListeners('error');
    sub.on('error', () => undefined);
    void sub.unsubscribe().catch(() => undefined);
  }

  private fail(error: Error): void {
    this.stopped = true;
    this.handler.onError?.(error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function toPosition(position: number): Position {
  const p = BigInt(position);
  return { commit: p, prepare: p };
}

function metadataToEsdb(metadata: EventMetadata): Record<string, unknown> {
  const { correlationId, causationId, ...rest } = metadata;
  const out: Record<string, unknown> = { ...rest, $correlationId: correlationId };
  if (causationId !== undefined) out.$causationId = causationId;
  return out;
}

function metadataFromEsdb(raw: unknown): EventMetadata {
  if (typeof raw !== 'object' || raw === null || raw instanceof Uint8Array || Array.isArray(raw)) {
    return { actor: 'unknown', correlationId: '' };
  }
  const { $correlationId, $causationId, ...rest } = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  if ($correlationId !== undefined) out.correlationId = $correlationId;
  if ($causationId !== undefined) out.causationId = $causationId;
  out.actor ??= 'unknown';
  out.correlationId ??= '';
  return out as EventMetadata;
}

function toStoredEvent(event: ClientRecordedEvent): StoredEvent {
  const data =
    event.isJson && typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data)
      ? (event.data as Record<string, unknown>)
      : { value: event.data instanceof Uint8Array ? Buffer.from(event.data).toString('base64') : event.data };
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: Number(event.revision),
    position: event.position ? Number(event.position.commit) : -1,
    recordedAt: event.created.toISOString(),
    data,
    metadata: metadataFromEsdb(event.metadata),
  };
}

function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
}

/** The port's filter semantics, applied to every event the adapter hands out (the server filter is only a pre-filter). */
function matches(type: string, stream: string, filter?: EventFilter): boolean {
  if (isSystemEventType(type)) return false;
  if (!filter) return true;
  if (filter.eventTypePrefixes && !filter.eventTypePrefixes.some((p) => type.startsWith(p))) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => stream.startsWith(p))) return false;
  return true;
}

/**
 * The server-side filter: EventStoreDB takes one expression, on the event type or on the stream name. Event-type
 * prefixes are combined with "not a system event" in one regex; stream prefixes go to the server as such and system
 * events are then dropped by `matches`. The regex syntax is common to .NET and JavaScript.
 */
function toServerFilter(filter?: EventFilter): Filter {
  const types = filter?.eventTypePrefixes;
  const streams = filter?.streamPrefixes;
  if (types && types.length > 0) {
    return eventTypeFilter({ regex: `^(?!\\$)(?:${types.map(escapeRegex).join('|')})` });
  }
  if (streams && streams.length > 0) return streamNameFilter({ prefixes: streams });
  return excludeSystemEvents();
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|#\s-]/g, (c) => (/\s/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `\\${c}`));
}
