import { DOMAIN_STREAM_PREFIXES, readLedgerEvent, UnreadableEventError } from '@ledger/domain';
import { CheckpointedRelay } from '@ledger/event-store';
import type { Backoff, EventStore, StoredEvent } from '@ledger/event-store';
import { toRevocationEvent } from './revocation-event';
import { DropReason, FeedChunk, FeedSink, formatSseEvent } from './revocation-feed';
import { LiveBatch, SseSubscriber } from './sse-subscriber';

export interface RevocationFanOutOptions {
  /** Unread bytes a subscriber may have before it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Revocations per store read of a replay's catch-up. Default 100. */
  catchUpBatchSize?: number;
  /** Comment line sent this often so that proxies and clients see a live connection. Default 15 s. */
  heartbeatMs?: number;
  /** The reconnection delay suggested to EventSource clients. Default 2 s. */
  retryMs?: number;
  /** After the last message to a dropped subscriber, its socket gets this long before it is destroyed. Default 10 s. */
  dropGraceMs?: number;
  /** The shared subscription restarts after this backoff when the store fails. */
  restart?: Backoff;
  /** Every failure of the shared subscription (it restarts by itself, from where it was). */
  onError?(error: Error, consecutiveFailures: number): void;
  /** A subscriber was dropped by the feed (not closed by its client). */
  onDropped?(reason: DropReason): void;
  /** The event types (and versions) this build reads: EVENT_VERSIONS; a test passes less (LEDGER_TEST_UNKNOWN_EVENT_TYPES). */
  knownEvents?: Readonly<Record<string, number>>;
}

export interface OpenOptions {
  /** Exclusive: replay the revocations after this position first. Absent: start at the head. -1: from the start. */
  after?: number;
  /** Called once when the subscriber ended, whoever ended it. */
  onClosed?(reason?: DropReason): void;
}

// Every event of the domain's streams, not only the revocation types: a type this build does not know must reach the
// feed, which then stops at it (see publish) instead of streaming past a revocation that a newer build wrote.
const FILTER = { streamPrefixes: [...DOMAIN_STREAM_PREFIXES] };

/**
 * The SSE revocation feed of one process: ONE relay from the head of the log, filtered to the revocation types, fans
 * each batch out to every subscriber. A batch is formatted and encoded once and never waited for: a subscriber that
 * cannot take it is dropped (see SseSubscriber), so the cost of a revocation is one store read and one write per
 * socket, whatever the audience, and memory is bounded by the subscribers' bounds, not by the log.
 */
export class RevocationFanOut {
  private readonly subscribers = new Set<SseSubscriber>();
  private relay?: CheckpointedRelay;
  private heartbeatTimer?: NodeJS.Timeout;
  /** Every revocation up to here has been handed to every subscriber registered at that time. */
  private position = -1;
  private readonly heartbeatChunk = FeedChunk.of(': heartbeat\n\n');
  private readonly settings: Required<Omit<RevocationFanOutOptions, 'onError' | 'onDropped' | 'restart' | 'knownEvents'>>;
  /** The event the feed stopped at, once met: it goes no further until the instance runs a build that reads it. */
  private unreadable?: UnreadableEventError;

  constructor(
    private readonly store: EventStore,
    private readonly options: RevocationFanOutOptions = {},
  ) {
    this.settings = {
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      catchUpBatchSize: options.catchUpBatchSize ?? 100,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      retryMs: options.retryMs ?? 2000,
      dropGraceMs: options.dropGraceMs ?? 10_000,
    };
  }

  /** Resolves once the head is known: subscribers opened from then on start exactly there. */
  async start(): Promise<void> {
    if (this.relay) return;
    this.position = await this.store.headPosition();
    this.relay = new CheckpointedRelay(
      this.store,
      // The head at the first start; after a failure, where the fan-out stopped, so the restart leaves no hole.
      { load: () => this.position },
      { deliver: async (batch) => this.publish(batch) },
      {
        filter: FILTER,
        maxBatchSize: 500,
        restart: this.options.restart ?? { baseMs: 100, maxMs: 5000, jitter: true },
        onError: this.options.onError,
      },
    );
    this.relay.start();
    this.heartbeatTimer = setInterval(() => {
      for (const s of this.subscribers) s.heartbeat(this.heartbeatChunk);
    }, this.settings.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** Opens a subscriber on the sink: live from the head, or a replay after `after` that then joins the fan-out. */
  open(sink: FeedSink, options: OpenOptions = {}): SseSubscriber {
    if (!this.relay) throw new Error('RevocationFanOut.open() before start()');
    this.assertReadable();
    sink.write(`retry: ${this.settings.retryMs}\n: connected\n\n`);
    // Any replay reads the store first, even one that asks for a position at or past the fan-out's: the store may
    // hold revocations the fan-out has not handed over yet, and the join skips whatever is not after `after`.
    const replay = options.after !== undefined;
    const subscriber = new SseSubscriber(
      sink,
      { after: options.after ?? this.position, replay },
      {
        ...this.settings,
        readAfter: (after, max) => this.readAfter(after, max),
        onClosed: (s, reason) => {
          this.subscribers.delete(s);
          if (reason) this.options.onDropped?.(reason);
          options.onClosed?.(reason);
        },
      },
    );
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /**
   * Throws the event the feed stopped at, if it stopped: a subscriber opened now would be handed nothing past it, and
   * its client would take the silence for "no revocation". Callers ask before they answer 200 (503 event_unreadable).
   */
  assertReadable(): void {
    if (this.unreadable) throw this.unreadable;
  }

  /** A replay's catch-up; it ends (the subscriber is dropped as feed_failed) at an event this build cannot read. */
  private async readAfter(after: number, max: number): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for await (const event of this.store.readAll({ after, filter: FILTER, maxCount: max })) {
      readLedgerEvent(event, this.options.knownEvents);
      events.push(event);
    }
    return events;
  }

  private publish(batch: StoredEvent[]): void {
    const frames: LiveBatch['frames'] = [];
    let last = this.position;
    let unreadable: UnreadableEventError | undefined;
    for (const stored of batch) {
      // A restarted relay may hand over again what it had already delivered.
      if (stored.position <= this.position) continue;
      try {
        readLedgerEvent(stored, this.options.knownEvents);
      } catch (error) {
        if (!(error instanceof UnreadableEventError)) throw error;
        unreadable = error;
        break;
      }
      last = stored.position;
      const event = toRevocationEvent(stored);
      if (event) frames.push({ position: stored.position, frame: formatSseEvent(event) });
    }
    // What comes before an unreadable event still goes out; the feed stops at it.
    if (last > this.position) {
      this.position = last;
      if (frames.length > 0) {
        const live: LiveBatch = { frames, chunk: FeedChunk.of(frames.map((f) => f.frame).join('')), last };
        for (const s of this.subscribers) s.receive(live);
      }
    }
    if (unreadable) this.halt(unreadable);
  }

  /**
   * Stops the feed at an event this build cannot read (issue #17): every subscriber is dropped as feed_failed, told
   * to reconnect with Last-Event-ID (to an upgraded instance, which resumes exactly there), and new ones are refused.
   * Streaming on would move each client's Last-Event-ID past a revocation that it never received. The relay is
   * failed too, so that it retries from here rather than passing the event.
   */
  private halt(error: UnreadableEventError): never {
    if (!this.unreadable) {
      this.unreadable = error;
      for (const s of [...this.subscribers]) s.close('feed_failed', `${error.message}; reconnect with Last-Event-ID to an instance that reads it`);
    }
    throw error;
  }

  count(): number {
    return this.subscribers.size;
  }

  /** Ends every subscriber (telling it why), then the shared subscription. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const s of [...this.subscribers]) s.close('server_shutdown', 'the service is shutting down; reconnect with Last-Event-ID to resume');
    const relay = this.relay;
    this.relay = undefined;
    await relay?.stop();
  }
}
