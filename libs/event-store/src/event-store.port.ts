/**
 * The event-store port. Everything above it (handlers, projections, publisher, audit) speaks only this
 * interface; adapters (sqlite/, esdb/) translate vendor behaviour and vendor errors into it.
 */

/** Who caused an event and why. Stored with every event; the audit trail is built from it. */
export interface EventMetadata {
  /** The authenticated principal that issued the command (e.g. "frontend", "system"). */
  actor: string;
  /** The ledger's own request id: ties every event of one request together. */
  correlationId: string;
  /** The caller's own request id (X-Request-Id), caller-asserted. */
  clientRequestId?: string;
  /** Id of the message (command or event) that directly caused this event. */
  causationId?: string;
  /** CAEP initiating entity. */
  initiator?: 'user' | 'admin' | 'policy' | 'system';
  /** The initiator is the caller's say-so (X-Initiator), not the default. */
  initiatorAsserted?: boolean;
  /** Free-text reason, where one was given. */
  reason?: string;
  [key: string]: unknown;
}

export interface EventToAppend {
  /** Event id (UUID). The store assigns one when absent; a repeated id is deduplicated (see append). */
  id?: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface StoredEvent<D extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  type: string;
  stream: string;
  /** 0-based position of the event in its stream. */
  revision: number;
  /** Position in the global log. Strictly increasing in $all order; gap-free on the embedded store. */
  position: number;
  /** RFC 3339 time the store recorded the event. */
  recordedAt: string;
  data: D;
  metadata: EventMetadata;
}

/**
 * 'any': no check. 'no_stream': the stream must not exist. 'stream_exists': it must exist.
 * A number: the revision of the stream's last event must be exactly that.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextRevision: number;
  /** Global position of the last event written (or of the already-stored event when the append was a duplicate). */
  position: number;
}

export interface ReadStreamOptions {
  /** Inclusive start revision; default 0 forwards, the end backwards. */
  fromRevision?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: only events with a position greater than this (forwards) or smaller (backwards). Default: the start / the end. */
  after?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
  filter?: EventFilter;
  /**
   * The caller reads only each event's envelope (id, stream, type, revision, position, recordedAt), never its data
   * or metadata, so a decorator may hand those over as stored: the sealed store then opens nothing (lagBehind).
   */
  envelopes?: boolean;
}

/** Server-side filter for $all reads and subscriptions. System events ($-prefixed types) are never delivered. */
export interface EventFilter {
  /** Deliver only events whose type starts with one of these prefixes. */
  eventTypePrefixes?: string[];
  /** Deliver only events whose stream name starts with one of these prefixes. */
  streamPrefixes?: string[];
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events with position > after. Absent: from the start of the log. */
  after?: number;
  filter?: EventFilter;
  /** Upper bound on events per handler call. */
  maxBatchSize?: number;
}

export interface SubscriptionHandler {
  /** Called with consecutive, ordered batches; the next batch waits until the promise settles (back-pressure). */
  onEvents(events: StoredEvent[]): Promise<void>;
  /** Called once history has been delivered and the subscription is live. */
  onCaughtUp?(): void;
  /**
   * Called when the subscription stops for a reason other than stop(): the handler threw, or the store failed for
   * good. Never swallowed: the owner decides whether to restart from its checkpoint.
   */
  onError?(error: Error): void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically, checking the expected revision. Throws WrongExpectedVersionError when the check fails.
   *
   * Retries (EventStoreDB's idempotence rule): an append whose event ids are already stored in this stream right
   * after the expected revision (or from the start, with no_stream) is not written twice, however long after; the
   * result then points at what is stored. With 'any' or 'stream_exists' that is not promised: EventStoreDB recognises
   * the ids only while they are in its bounded cache of recently written ids and, past it, writes the events again
   * (the embedded store recognises them always). So a caller that may retry passes an exact expectation, as the
   * ledger's writes all do.
   */
  append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Events of the whole log, as an async iterable so that memory stays flat. */
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /** Catches up from a checkpoint, then stays live. */
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Global position of the last event in the log, or -1 when it is empty. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** Named checkpoints, for consumers whose state lives outside the local view database (e.g. the Kafka publisher). */
export interface CheckpointStore {
  load(name: string): Promise<number | undefined>;
  save(name: string, position: number): Promise<void>;
}

/** DI tokens: ports are injected by token so that nothing above the port names an adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
