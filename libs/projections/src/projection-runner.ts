import { CheckpointedRelay, lagBehind } from '@ledger/event-store';
import type { EventStore, StoredEvent } from '@ledger/event-store';
import { DOMAIN_STREAM_PREFIXES } from '@ledger/domain';
import { UnreadableEventError } from './read-ledger-event';
import { ViewStore } from './sqlite/view-store';

/**
 * Upper bound on events per view transaction. Live batches are as small as what arrived; while catching up (start,
 * rebuild) this bound is what sets the transaction size. The token view is keyed by random hashes, so each commit
 * writes every page its inserts touched: the larger the transaction, the more inserts share a page and the fewer
 * pages are written per event (bench/workloads/projection-rebuild.ts: 5,000 -> 50,000 about 1.8x at 1M events).
 */
const CATCH_UP_BATCH = 10_000;

/**
 * Every event of the domain's streams, by stream rather than by the types this build knows: an event of a type it
 * does not know must reach the views and stop them (ViewStore.apply), not be filtered out unseen while the views
 * answer as if the log did not hold it.
 */
const LEDGER_EVENTS = { streamPrefixes: [...DOMAIN_STREAM_PREFIXES] };

export interface ProjectionRunnerOptions {
  /** Called when the subscription fails; the runner restarts from its checkpoint after a backoff. */
  onError?: (error: Error, attempt: number) => void;
  maxBackoffMs?: number;
  /** Told about a rebuild from position 0, so that the log says why it runs and how far it is. */
  rebuild?: RebuildListener;
  /**
   * Called when the views meet an event this build cannot read before they first caught up after start: the service
   * stops rather than go on with views that end before it (a golden directory that fails to load). Met later (a
   * newer instance beside this one), the instance stays up, not ready, and refuses introspection (ViewStore.apply).
   */
  onUnreadableAtStart?: (error: UnreadableEventError) => void;
}

/** `head` is the store's head when the rebuild started (undefined until known); positions compare with it. */
export interface RebuildListener {
  started(reason: string): void;
  /** After each batch applied, up to CATCH_UP_BATCH events. */
  progress(p: { applied: number; position: number; head: number | undefined }): void;
  finished(p: { applied: number; position: number; ms: number }): void;
}

/**
 * Drives the views through a CheckpointedRelay (libs/event-store/src/relay), never from the in-process EventBus:
 * errors here must stop the projection and be seen, not vanish into an event handler. The views are the sink and
 * their own checkpoint: ViewStore.apply commits a batch and its position in one transaction, so the relay has
 * nothing to save, and restarts from the last batch applied.
 *
 * Read-your-writes: a command handler appends, then awaits waitFor(position). When that resolves, this instance's
 * views include the append, so introspection on this instance already answers with it.
 */
export class ProjectionRunner {
  private readonly relay: CheckpointedRelay;
  /** Last applied position; known before start (from the views), unlike the relay's, which waitFor needs. */
  private position: number;
  private waiters: Array<{ position: number; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  /** Views started empty: secondary indexes are off until the first catch-up ends (ViewStore.startRebuild). */
  private rebuilding = false;
  private rebuild?: { startedAt: number; applied: number; head?: number };
  private readonly listener?: RebuildListener;
  private readonly onUnreadableAtStart?: (error: UnreadableEventError) => void;
  /** Set at the first catch-up after start. */
  private startedUp = false;

  constructor(
    private readonly store: EventStore,
    readonly views: ViewStore,
    options: ProjectionRunnerOptions = {},
  ) {
    this.position = views.checkpoint() ?? -1;
    this.listener = options.rebuild;
    this.onUnreadableAtStart = options.onUnreadableAtStart;
    this.relay = new CheckpointedRelay(
      store,
      { load: () => (this.position >= 0 ? this.position : undefined) },
      { deliver: async (events) => this.apply(events) },
      {
        filter: LEDGER_EVENTS,
        maxBatchSize: CATCH_UP_BATCH,
        restart: { maxMs: options.maxBackoffMs ?? 5000 },
        onError: options.onError,
        onCaughtUp: () => {
          this.startedUp = true;
          if (!this.rebuilding) return;
          this.views.finishRebuild();
          this.rebuilding = false;
          if (this.rebuild) this.listener?.finished({ applied: this.rebuild.applied, position: this.position, ms: Date.now() - this.rebuild.startedAt });
          this.rebuild = undefined;
        },
      },
    );
  }

  start(): void {
    if (this.relay.status().running) return;
    this.rebuilding = this.views.startRebuild();
    if (this.rebuilding) {
      const rebuild: { startedAt: number; applied: number; head?: number } = { startedAt: Date.now(), applied: 0 };
      this.rebuild = rebuild;
      this.listener?.started(this.views.rebuildReason);
      // For the progress lines only: a head that cannot be read now leaves them without a total.
      this.store.headPosition().then((head) => (rebuild.head = head), () => undefined);
    }
    this.relay.start();
  }

  private apply(events: StoredEvent[]): void {
    try {
      this.views.apply(events);
    } catch (error) {
      if (error instanceof UnreadableEventError) {
        if (!this.startedUp) this.onUnreadableAtStart?.(error);
        // The views will not get past it: the commands waiting for them hear why now, not after their timeout.
        for (const w of this.waiters) {
          clearTimeout(w.timer);
          w.reject(error);
        }
        this.waiters = [];
      }
      throw error;
    }
    this.position = events[events.length - 1].position;
    if (this.rebuild) {
      this.rebuild.applied += events.length;
      this.listener?.progress({ applied: this.rebuild.applied, position: this.position, head: this.rebuild.head });
    }
    this.release();
  }

  /** The event the views stopped at, if they met one this build cannot read (ReadYourWrites.stoppedBy). */
  stoppedBy(): Error | undefined {
    return this.views.unreadableEvent;
  }

  /** Resolves once the views include the event at `position` (or a later one). */
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    if (position <= this.position) return Promise.resolve();
    const stopped = this.stoppedBy();
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`Views did not reach position ${position} within ${timeoutMs} ms (at ${this.position})`));
      }, timeoutMs);
      this.waiters.push({ position, resolve, reject, timer });
    });
  }

  /**
   * Resolves once the views include every ledger event the store holds now. The head itself may be an event the views
   * do not subscribe to (a lease's, on EventStoreDB), so the wait is for the last ledger event up to it, found by
   * reading what the views have not applied yet: usually nothing.
   */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const head = await this.store.headPosition();
    let last = -1;
    for await (const e of this.store.readAll({ after: this.position >= 0 ? this.position : undefined, filter: LEDGER_EVENTS })) {
      if (e.position > head) break;
      last = e.position;
    }
    if (last > this.position) await this.waitFor(last, timeoutMs);
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.position <= this.position) {
        clearTimeout(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  status() {
    const relay = this.relay.status();
    return {
      position: this.position,
      caughtUp: relay.caughtUp,
      failures: relay.consecutiveFailures,
      lastError: relay.lastError,
      lastRecordedAt: relay.lastRecordedAt,
      /** The event the views could not read (ViewStore.apply): the instance is not ready until an upgrade. */
      unreadable: this.stoppedBy()?.message,
    };
  }

  /**
   * How far this instance's views are behind the store, counted in events (see lagBehind: positions on EventStoreDB
   * are byte offsets), with the age of the oldest unapplied event in ms. Counting stops at `maxCount`.
   */
  async lag(maxCount = 10_000): Promise<{ headPosition: number; position: number; events: number; ms: number; capped: boolean }> {
    const position = this.position;
    const lag = await lagBehind(this.store, position, { filter: LEDGER_EVENTS, maxCount });
    return { ...lag, position };
  }

  async stop(): Promise<void> {
    await this.relay.stop();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('Projection stopped'));
    }
    this.waiters = [];
  }
}
