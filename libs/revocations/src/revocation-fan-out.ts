import { CheckpointedRelay } from '@ledger/event-store';
import type { Backoff, EventStore, StoredEvent } from '@ledger/event-store';
import { REVOCATION_DOMAIN_EVENT_TYPES, toRevocationEvent } from './revocation-event';
import { DropReason, FeedSink, formatSseEvent } from './revocation-feed';
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
}

export interface OpenOptions {
  /** Exclusive: replay the revocations after this position first. Absent: start at the head. -1: from the start. */
  after?: number;
  /** Called once when the subscriber ended, whoever ended it. */
  onClosed?(reason?: DropReason): void;
}

const FILTER = { eventTypePrefixes: [...REVOCATION_DOMAIN_EVENT_TYPES] };

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
  private readonly heartbeatChunk = Buffer.from(': heartbeat\n\n');
  private readonly settings: Required<Omit<RevocationFanOutOptions, 'onError' | 'onDropped' | 'restart'>>;

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

  private async readAfter(after: number, max: number): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for await (const event of this.store.readAll({ after, filter: FILTER, maxCount: max })) events.push(event);
    return events;
  }

  private publish(batch: StoredEvent[]): void {
    const frames: LiveBatch['frames'] = [];
    for (const stored of batch) {
      // A restarted relay may hand over again what it had already delivered.
      if (stored.position <= this.position) continue;
      const event = toRevocationEvent(stored);
      if (event) frames.push({ position: stored.position, frame: formatSseEvent(event) });
    }
    const last = batch[batch.length - 1].position;
    if (last <= this.position) return;
    this.position = last;
    if (frames.length === 0) return;
    const live: LiveBatch = { frames, chunk: Buffer.from(frames.map((f) => f.frame).join('')), last };
    for (const s of this.subscribers) s.receive(live);
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
