import { EventStore, lagBehind } from '@ledger/event-store';

/**
 * How far a consumer of the whole log (the Kafka publisher) is behind its head: the events after its position,
 * counted (positions on EventStoreDB are byte offsets, not event numbers), and the age of the oldest of them. The
 * count stops at 10,000; `capped` then says so.
 */
export async function lagOf(store: EventStore, consumer: { position: number }): Promise<{ events: number; seconds: number; capped: boolean }> {
  const lag = await lagBehind(store, consumer.position);
  return { events: lag.events, seconds: lag.ms / 1000, capped: lag.capped };
}
