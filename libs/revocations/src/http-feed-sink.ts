import type { ServerResponse } from 'node:http';
import type { FeedChunk, FeedSink } from './revocation-feed';

/** Fields of Node's OutgoingMessage that say how the response is framed on its socket (node:_http_outgoing). */
interface Framing {
  /** The status line and headers have gone to the socket (set by the first write, not by writeHead). */
  _headerSent: boolean;
  /** The body is sent as HTTP/1.1 chunks (no content-length, an HTTP/1.1 request); false for HTTP/1.0: raw bytes. */
  chunkedEncoding: boolean;
}

/**
 * A ServerResponse as the feed's sink, with a cheaper way for the bytes every subscriber gets alike.
 * ServerResponse.write corks the socket, schedules its uncork for the next tick and hands the chunk's size line, the
 * bytes and a CRLF to the socket as three writes, joined by a writev: for one batch to 5,000 subscribers, 5,000
 * ticks and 15,000 stream writes. The shared chunk is framed once (FeedChunk.chunked) and written to the socket in
 * one call. The bytes on the wire are the same; this is taken only once the response's own writes have put the
 * headers on the socket and nothing of the response is queued ahead, so the order of bytes cannot change. Anything
 * else (the first message, a replay's history, the last message of a dropped subscriber) goes through res.write.
 */
export class HttpFeedSink implements FeedSink {
  constructor(private readonly res: ServerResponse) {}

  get writableLength(): number {
    return this.res.writableLength;
  }

  write(chunk: string | Uint8Array): boolean {
    return this.res.write(chunk);
  }

  writeShared(chunk: FeedChunk): boolean {
    const { res } = this;
    const socket = res.socket;
    const framing = res as unknown as Framing;
    // writableLength is the response's queued bytes plus its socket's: equal, nothing of the response waits ahead.
    if (socket && framing._headerSent && !res.writableEnded && !socket.destroyed && res.writableLength === socket.writableLength) {
      return socket.write(framing.chunkedEncoding ? chunk.chunked() : chunk.bytes);
    }
    return res.write(chunk.bytes);
  }

  end(): void {
    this.res.end();
  }

  destroy(): void {
    this.res.destroy();
  }

  once(event: 'drain' | 'close', listener: () => void): this {
    this.res.once(event, listener);
    return this;
  }

  off(event: 'drain' | 'close', listener: () => void): this {
    this.res.off(event, listener);
    return this;
  }
}
