/**
 * How far a consumer of the log (the views, the publisher) is behind its head. The time lag is an upper bound: the
 * age of the last event the consumer applied, while it has anything left to apply; 0 once it is at the head.
 */
export function lagOf(head: number, consumer: { position: number; lastRecordedAt?: string }, nowMs = Date.now()): { events: number; seconds: number } {
  const events = Math.max(0, head - consumer.position);
  if (events === 0) return { events, seconds: 0 };
  const at = consumer.lastRecordedAt ? Date.parse(consumer.lastRecordedAt) : NaN;
  return { events, seconds: Number.isFinite(at) ? Math.max(0, (nowMs - at) / 1000) : 0 };
}
