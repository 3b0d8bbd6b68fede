import type { RevocationEventV1 } from './revocation-event';

/** Where the feed writes: a Node ServerResponse, or any writable stream. */
export interface FeedSink {
  write(chunk: string | Uint8Array): boolean;
  end(): void;
  /** Bytes accepted by write() and not yet handed to the kernel: what a subscriber's buffer is measured by. */
  readonly writableLength: number;
  destroy(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Why the feed ended a subscriber: the `reason` of its last SSE event (`event: dropped`). */
export type DropReason = 'slow_consumer' | 'server_shutdown' | 'feed_failed';

/** One SSE message: id = global position (what Last-Event-ID resumes from), event = type, data = the contract. */
export function formatSseEvent(event: RevocationEventV1): string {
  return `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * The last message of a dropped subscriber. It has no `id:` line, so an EventSource keeps the id of the last
 * revocation it received and resumes right after it on reconnect (Last-Event-ID): being dropped loses nothing.
 */
export function formatDropped(reason: DropReason, detail: string): string {
  return `event: dropped\ndata: ${JSON.stringify({ reason, detail })}\n\n`;
}

/** Last-Event-ID (or `after`) as a position; undefined when absent, null when not a position. */
export function parseLastEventId(value: string | string[] | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const raw = (Array.isArray(value) ? value[0] : value).trim();
  if (raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
