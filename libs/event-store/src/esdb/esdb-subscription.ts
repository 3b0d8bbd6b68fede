import { AllStreamSubscription, EventStoreDBClient, Filter, START } from '@eventstore/db-client';
import { backoffDelay } from '../backoff';
import { StoredEvent, SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.port';
import { EventStoreUnavailableError } from '../event-store.errors';
import { isTransient, translateError } from './esdb-errors';
import { ClientRecordedEvent, matches, toPosition, toServerFilter, toStoredEvent } from './esdb-mapping';

export interface EsdbReconnectOptions {
  /** First wait before resubscribing after a dropped subscription; doubles on every failed attempt. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of the wait. Default 5 s. */
  maxDelayMs?: number;
  /** Consecutive failed attempts after which the subscription reports the store as failed for good. Default 30. */
  maxAttempts?: number;
}

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
export class EsdbSubscription implements Subscription {
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
        await this.sleep(backoffDelay(attempt - 1, { baseMs: initialDelay, maxMs: maxDelay }));
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

