import { EventEmitter } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.port';
import { POSITION, RawRow, matches, toStoredEvent } from './sqlite-schema';

/** Reads up to `max` visible rows after an exclusive position, in position order ([] once the store is closed). */
export type ReadRowsAfter = (after: number, max: number) => RawRow[];

/**
 * The live subscriptions of one embedded store. Each one is a loop over the same read the store serves: read a batch
 * after its cursor, hand it over, and when nothing is left sleep until this instance makes events durable
 * (`notify`) or, for writes of other processes, until the poll interval has passed.
 */
export class SqliteSubscriptions {
  private readonly appended = new EventEmitter();
  private readonly live = new Set<Subscription>();

  constructor(
    private readonly readAfter: ReadRowsAfter,
    /**
     * How often a live subscription looks for events written by another process (the CLI importing into the same
     * file, say). Durable appends of this instance wake subscriptions at once and never wait for this.
     */
    private readonly pollIntervalMs: number,
  ) {
    this.appended.setMaxListeners(0);
  }

  /** Events up to a new head are durable and readable: wake every subscription. */
  notify(): void {
    this.appended.emit('appended');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.stop()));
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    let stopped = false;
    let wake: (() => void) | undefined;
    // Set by every append; cleared before each read. An append that lands while the handler is busy must not be
    // lost, or the subscription would sleep until the next poll with the event already written.
    let dirty = false;
    const onAppended = () => {
      dirty = true;
      wake?.();
    };
    this.appended.on('appended', onAppended);
    const batchSize = options.maxBatchSize ?? 2000;

    const run = async () => {
      let cursor = options.after ?? -1;
      let caughtUp = false;
      while (!stopped) {
        dirty = false;
        const rows = this.readAfter(cursor, batchSize);
        if (rows.length > 0) {
          cursor = rows[rows.length - 1][POSITION];
          const events = rows.filter((r) => matches(r, options.filter)).map(toStoredEvent);
          if (events.length > 0) await handler.onEvents(events);
          // Let HTTP requests in between catch-up batches.
          if (rows.length === batchSize) {
            await yieldToLoop();
            continue;
          }
          // A short batch held everything visible when it was read, and every append made visible since has set
          // `dirty`: without one there is nothing to read, and a read to learn so would cost every subscription a
          // second statement per live append (about 20 us each, several subscriptions, one append at a time at 200/s).
          if (dirty) continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          handler.onCaughtUp?.();
        }
        if (dirty || stopped) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    };

    const done = run()
      .catch((error: unknown) => {
        if (!stopped) {
          stopped = true;
          handler.onError?.(error instanceof Error ? error : new Error(String(error)));
        }
      })
      .finally(() => this.appended.off('appended', onAppended));

    const subscription = {
      stop: async () => {
        stopped = true;
        wake?.();
        await done;
        this.live.delete(subscription);
      },
    };
    this.live.add(subscription);
    return subscription;
  }
}
