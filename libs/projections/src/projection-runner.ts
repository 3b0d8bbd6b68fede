import { backoffDelay, lagBehind } from '@ledger/event-store';
import type { EventStore, Subscription } from '@ledger/event-store';
import { LEDGER_EVENT_TYPES } from './ledger-views';
import { ViewStore } from './view-store';

/**
 * Upper bound on events per view transaction. Live batches are as small as what arrived; while catching up (start,
 * rebuild) this bound is what sets the transaction size. The token view is keyed by random hashes, so each commit
 * writes every page its inserts touched: the larger the transaction, the more inserts share a page and the fewer
 * pages are written per event (bench/workloads/projection-rebuild.ts: 5,000 -> 50,000 about 1.8x at 1M events).
 */
const CATCH_UP_BATCH = 10_000;

export interface ProjectionRunnerOptions {
  /** Called when the subscription fails; the runner restarts from its checkpoint after a backoff. */
  onError?: (error: Error, attempt: number) => void;
  maxBackoffMs?: number;
}

/**
 * Drives the views from a checkpointed event-store subscription, never from the in-process EventBus: errors here
 * must stop the projection and be seen, not vanish into an event handler.
 *
 * Read-your-writes: a command handler appends, then awaits waitFor(position). When that resolves, this instance's
 * views include the append, so introspection on this instance already answers with it.
 */
export class ProjectionRunner {
  private subscription?: Subscription;
  private position: number;
  private waiters: Array<{ position: number; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  private running = false;
  private caughtUp = false;
  /** Views started empty: secondary indexes are off until the first catch-up ends (ViewStore.startRebuild). */
  private rebuilding = false;
  private failures = 0;
  private lastError?: Error;
  private restartTimer?: NodeJS.Timeout;
  /** recordedAt of the last applied event, for lag in milliseconds. */
  private lastRecordedAt?: string;

  constructor(
    private readonly store: EventStore,
    readonly views: ViewStore,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.position = views.checkpoint() ?? -1;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.rebuilding = this.views.startRebuild();
    this.subscribe();
  }

  private subscribe(): void {
    this.caughtUp = false;
    this.subscription = this.store.subscribeToAll(
      { after: this.position >= 0 ? this.position : undefined, filter: { eventTypePrefixes: [...LEDGER_EVENT_TYPES] }, maxBatchSize: CATCH_UP_BATCH },
      {
        onEvents: async (events) => {
          this.views.apply(events);
          const last = events[events.length - 1];
          this.position = last.position;
          this.lastRecordedAt = last.recordedAt;
          this.failures = 0;
          this.lastError = undefined;
          this.release();
        },
        onCaughtUp: () => {
          if (this.rebuilding) {
            this.views.finishRebuild();
            this.rebuilding = false;
          }
          this.caughtUp = true;
        },
        onError: (error) => {
          this.failures += 1;
          this.lastError = error;
          this.options.onError?.(error, this.failures);
          if (!this.running) return;
          const delay = backoffDelay(this.failures, { maxMs: this.options.maxBackoffMs ?? 5000 });
          this.restartTimer = setTimeout(() => this.running && this.subscribe(), delay);
        },
      },
    );
  }

  /** Resolves once the views include the event at `position` (or a later one). */
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    if (position <= this.position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`Views did not reach position ${position} within ${timeoutMs} ms (at ${this.position})`));
      }, timeoutMs);
      this.waiters.push({ position, resolve, reject, timer });
    });
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
    return {
      position: this.position,
      caughtUp: this.caughtUp,
      failures: this.failures,
      lastError: this.lastError?.message,
      lastRecordedAt: this.lastRecordedAt,
    };
  }

  /**
   * How far this instance's views are behind the store, counted in events (see lagBehind: positions on EventStoreDB
   * are byte offsets), with the age of the oldest unapplied event in ms. Counting stops at `maxCount`.
   */
  async lag(maxCount = 10_000): Promise<{ headPosition: number; position: number; events: number; ms: number; capped: boolean }> {
    const position = this.position;
    const lag = await lagBehind(this.store, position, { filter: { eventTypePrefixes: [...LEDGER_EVENT_TYPES] }, maxCount });
    return { ...lag, position };
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    await this.subscription?.stop();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('Projection stopped'));
    }
    this.waiters = [];
  }
}
