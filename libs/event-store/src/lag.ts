import type { EventFilter, EventStore } from './event-store.port';

export interface Lag {
  /** Global position of the last event in the log when measured. */
  headPosition: number;
  /** Events after `position` (and up to the head) that match the filter; at most `maxCount`. */
  events: number;
  /** Age of the oldest of them in ms, now minus its recordedAt; 0 when there are none. */
  ms: number;
  /** True when counting stopped at maxCount: the lag is at least that. */
  capped: boolean;
}

/**
 * How far a consumer of the log (the views, the Kafka publisher) that has dealt with everything up to `position` is
 * behind the head, counted in events. Positions are only ordered numbers: on EventStoreDB they are byte offsets in
 * the transaction log, so head minus position is not a count of anything. Counting stops at `maxCount`, so a
 * consumer far behind costs one bounded read.
 */
export async function lagBehind(store: EventStore, position: number, options: { filter?: EventFilter; maxCount?: number } = {}): Promise<Lag> {
  const maxCount = options.maxCount ?? 10_000;
  const headPosition = await store.headPosition();
  let events = 0;
  let oldest: string | undefined;
  if (headPosition > position) {
    // Envelopes only: a scrape or a readiness probe of an instance far behind must not open 10,000 sealed events.
    for await (const event of store.readAll({ after: position >= 0 ? position : undefined, filter: options.filter, maxCount, envelopes: true })) {
      if (event.position > headPosition) break;
      oldest ??= event.recordedAt;
      events += 1;
    }
  }
  const ms = oldest === undefined ? 0 : Math.max(0, Date.now() - Date.parse(oldest));
  return { headPosition, events, ms, capped: events >= maxCount };
}
