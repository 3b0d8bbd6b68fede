import type { StoredEvent } from '@ledger/event-store';
import { toRevocationEvent } from './revocation-event';
import { DropReason, FeedChunk, FeedSink, formatDropped, formatSseEvent } from './revocation-feed';

/** One batch of the shared fan-out, in log order. */
export interface LiveBatch {
  /** Frame by frame, for a subscriber that is still catching up and must drop what its catch-up already sent. */
  frames: Array<{ position: number; frame: string }>;
  /**
   * The same frames as one chunk, encoded (and framed) once for every live subscriber: a socket that cannot take it at
   * once keeps a reference to this Buffer, not a copy, so 5,000 subscribers behind by one batch cost one batch of memory.
   */
  chunk: FeedChunk;
  last: number;
}

export interface SubscriberSettings {
  /** Bytes a subscriber may have waiting for its client to read (its sink's writableLength); past it, it is dropped. */
  maxBufferedBytes: number;
  /** Revocations after a position, at most `max` of them, read from the store: the catch-up of a replay. */
  readAfter(after: number, max: number): Promise<StoredEvent[]>;
  catchUpBatchSize: number;
  /** After the last message to a dropped subscriber, its socket gets this long to take it before it is destroyed. */
  dropGraceMs: number;
  onClosed(subscriber: SseSubscriber, reason?: DropReason): void;
}

/**
 * One SSE client of the shared fan-out. Live, it writes each batch the fan-out hands it, unless its client has left
 * more than maxBufferedBytes unread: then it is dropped, never waited for, so one stalled socket neither holds the
 * fan-out back nor grows memory.
 *
 * A replay (Last-Event-ID, ?after, ?from=start) registers with the fan-out FIRST and reads its history from the store
 * after that, back-pressured by its own socket, while the fan-out's batches wait in `pending`. Since the fan-out hands
 * over every revocation after its position at registration, and the catch-up ends with a read that found the store's
 * head (which the fan-out never passes), history and pending together cover the log without a hole; joining drops the
 * pending frames the catch-up already sent (position <= cursor) and writes the rest, so each revocation goes out once,
 * in order. A catch-up slower than the live traffic would let pending grow without bound: past maxBufferedBytes it is
 * discarded instead, and the catch-up reads on from the store until it has passed the last discarded position.
 */
export class SseSubscriber {
  private state: 'catching_up' | 'live' | 'closed';
  /** Position of the last revocation written to the sink (or the starting point). */
  private cursor: number;
  private pending: LiveBatch['frames'] = [];
  private pendingBytes = 0;
  private lastDiscarded = -1;

  constructor(
    private readonly sink: FeedSink,
    start: { after: number; replay: boolean },
    private readonly settings: SubscriberSettings,
  ) {
    this.cursor = start.after;
    this.state = start.replay ? 'catching_up' : 'live';
    if (start.replay) {
      this.catchUp().catch((error: Error) => this.close('feed_failed', `reading the history failed: ${error.message}`));
    }
  }

  receive(batch: LiveBatch): void {
    if (this.state === 'live') return this.writeLive(batch.chunk, batch.last);
    if (this.state !== 'catching_up') return;
    for (const frame of batch.frames) {
      this.pending.push(frame);
      this.pendingBytes += frame.frame.length;
    }
    if (this.pendingBytes > this.settings.maxBufferedBytes) {
      // All of it is in the store already: the catch-up reads on until it has passed it.
      this.lastDiscarded = batch.last;
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  /** A comment line, so that proxies and clients see a live connection; subject to the same bound as revocations. */
  heartbeat(chunk: FeedChunk): void {
    if (this.state === 'live') this.writeLive(chunk, this.cursor);
  }

  private writeLive(chunk: FeedChunk, last: number): void {
    // Judged by what is still unread, not by the size of the batch: a burst in one batch must not drop a client that
    // reads promptly. So a subscriber holds at most the bound plus one (shared) batch.
    if (this.sink.writableLength > this.settings.maxBufferedBytes) {
      this.close('slow_consumer', `the client left more than ${this.settings.maxBufferedBytes} bytes unread; reconnect with Last-Event-ID to resume`);
      return;
    }
    if (this.sink.writeShared) this.sink.writeShared(chunk);
    else this.sink.write(chunk.bytes);
    this.cursor = last;
  }

  private async catchUp(): Promise<void> {
    const max = this.settings.catchUpBatchSize;
    for (;;) {
      const events = await this.settings.readAfter(this.cursor, max);
      if (this.state !== 'catching_up') return;
      if (events.length > 0) {
        this.cursor = events[events.length - 1].position;
        const text = events.map((e) => toRevocationEvent(e)).map((e) => (e ? formatSseEvent(e) : '')).join('');
        if (text !== '' && !this.sink.write(text)) await this.drained();
        if (this.state !== 'catching_up') return;
      }
      // A short read reached the store's head, which is at or past the fan-out's position at registration.
      if (events.length < max && this.lastDiscarded <= this.cursor) return this.join();
    }
  }

  private join(): void {
    const rest = this.pending.filter((f) => f.position > this.cursor);
    this.pending = [];
    this.pendingBytes = 0;
    this.state = 'live';
    if (rest.length > 0) this.writeLive(FeedChunk.of(rest.map((f) => f.frame).join('')), rest[rest.length - 1].position);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off('drain', done);
        this.sink.off('close', done);
        resolve();
      };
      this.sink.once('drain', done);
      this.sink.once('close', done);
    });
  }

  /** Ends the subscription. With a reason, the client is told why in a last message (`event: dropped`). */
  close(reason?: DropReason, detail = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pending = [];
    if (reason) {
      this.sink.write(formatDropped(reason, detail));
      // A client that reads nothing more would keep its unread bytes alive for as long as its socket lives.
      const timer = setTimeout(() => this.sink.destroy(), this.settings.dropGraceMs);
      timer.unref();
      this.sink.once('close', () => clearTimeout(timer));
    }
    this.sink.end();
    this.settings.onClosed(this, reason);
  }
}
