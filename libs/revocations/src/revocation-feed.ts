import { CheckpointedRelay } from '@ledger/event-store';
import type { EventStore } from '@ledger/event-store';
import { REVOCATION_DOMAIN_EVENT_TYPES, RevocationEventV1, toRevocationEvent } from './revocation-event';

/** Where the feed writes: a Node ServerResponse, or any writable stream. */
export interface FeedSink {
  write(chunk: string): boolean;
  end(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

export interface RevocationFeedOptions {
  /** Exclusive: deliver revocations with a position greater than this (the client's Last-Event-ID). */
  after?: number;
  /** Comment line sent this often so that proxies and clients see a live connection. */
  heartbeatMs?: number;
  /** The reconnection delay suggested to EventSource clients. */
  retryMs?: number;
  /** Called once when the feed ended on its own (subscription failure); the sink has been ended. */
  onEnd?: (error?: Error) => void;
}

export interface RevocationFeed {
  close(): Promise<void>;
}

/** One SSE message: id = global position (what Last-Event-ID resumes from), event = type, data = the contract. */
export function formatSseEvent(event: RevocationEventV1): string {
  return `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Last-Event-ID (or `after`) as a position; undefined when absent, null when not a position. */
export function parseLastEventId(value: string | string[] | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const raw = (Array.isArray(value) ? value[0] : value).trim();
  if (raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/**
 * Server-Sent Events of the revocation contract: history after `after` from the event store, then live, from one
 * subscription (so nothing falls between history and live). The response is a relay sink whose checkpoint the
 * client keeps (Last-Event-ID); the relay waits while the client is slow to read (back-pressure), and stops when
 * close() is called, typically on client disconnect.
 */
export function openRevocationFeed(store: EventStore, sink: FeedSink, options: RevocationFeedOptions = {}): RevocationFeed {
  let closed = false;
  const heartbeat = setInterval(() => !closed && sink.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        sink.off('drain', done);
        sink.off('close', done);
        resolve();
      };
      sink.once('drain', done);
      sink.once('close', done);
    });

  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    sink.end();
    options.onEnd?.(error);
  };

  sink.write(`retry: ${options.retryMs ?? 2000}\n: connected\n\n`);
  const relay = new CheckpointedRelay(
    store,
    { load: () => options.after },
    {
      deliver: async (events) => {
        for (const stored of events) {
          if (closed) return;
          const event = toRevocationEvent(stored);
          if (event && !sink.write(formatSseEvent(event))) await waitForDrain();
        }
      },
    },
    {
      filter: { eventTypePrefixes: [...REVOCATION_DOMAIN_EVENT_TYPES] },
      maxBatchSize: 500,
      // No restart here: the client reconnects with Last-Event-ID and resumes exactly where this one stopped.
      restart: false,
      onError: (error) => finish(error),
    },
  );
  relay.start();

  return {
    close: async () => {
      const wasOpen = !closed;
      closed = true;
      clearInterval(heartbeat);
      await relay.stop();
      if (wasOpen) sink.end();
    },
  };
}
