import type { RevocationEventV1 } from './revocation-event';

const CRLF = '\r\n';

/**
 * Bytes of the feed that go to many subscribers alike (a live batch, a heartbeat): encoded once, and framed once as
 * an HTTP/1.1 chunk on first use, so that a fan-out to 5,000 sockets costs 5,000 writes of one shared Buffer.
 */
export class FeedChunk {
  private framed?: Buffer;

  constructor(readonly bytes: Buffer) {}

  static of(text: string): FeedChunk {
    return new FeedChunk(Buffer.from(text));
  }

  /** `<size in hex>CRLF<bytes>CRLF` (RFC 9112 section 7.1), what a chunked response writes for these bytes. */
  chunked(): Buffer {
    this.framed ??= Buffer.concat([Buffer.from(this.bytes.length.toString(16) + CRLF, 'latin1'), this.bytes, Buffer.from(CRLF, 'latin1')]);
    return this.framed;
  }
}

/** Where the feed writes: a Node ServerResponse (httpFeedSink), or any writable stream. */
export interface FeedSink {
  write(chunk: string | Uint8Array): boolean;
  /** Writes shared bytes; a sink without it is given chunk.bytes through write(). */
  writeShared?(chunk: FeedChunk): boolean;
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
