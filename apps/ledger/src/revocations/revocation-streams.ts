import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { FeedSink, RevocationFanOut, SseSubscriber } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { problem, ProblemError } from '../http/problem';
import { LedgerMetrics } from '../metrics/ledger-metrics';

/** A caller at its own cap frees a slot by closing a stream; the service as a whole frees them as clients leave. */
const RETRY_AFTER_PER_CALLER_S = '10';
const RETRY_AFTER_TOTAL_S = '5';

/** A place among the open streams, taken before the response starts so that a refusal can still be problem+json. */
export interface StreamSlot {
  open(sink: FeedSink, after?: number): SseSubscriber;
}

/**
 * The open SSE connections of this process: one shared fan-out (RevocationFanOut) and the caps on how many streams
 * a caller, and everyone together, may hold. Streams end before the HTTP server closes (beforeApplicationShutdown):
 * a live stream never goes idle, so the server would otherwise wait for it forever on shutdown.
 */
@Injectable()
export class RevocationStreams implements OnModuleInit, BeforeApplicationShutdown {
  private readonly fanOut: RevocationFanOut;
  private readonly perCaller = new Map<string, number>();
  private total = 0;
  private readonly logger = new Logger('RevocationFeed');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    metrics: LedgerMetrics,
  ) {
    const dropped = new Counter({
      name: 'ledger_sse_dropped_total',
      help: 'SSE subscribers ended by the feed, by reason (slow_consumer: the client left too much unread).',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
    this.fanOut = new RevocationFanOut(store, {
      maxBufferedBytes: config.sse.maxBufferedBytes,
      onDropped: (reason) => dropped.inc({ reason }),
      knownEvents: config.knownEvents,
      onError: (error, attempt) => this.logger.warn({ msg: 'the shared revocation subscription failed; restarting from where it was', error: error.message, attempt }),
    });
    const fanOut = this.fanOut;
    new Gauge({
      name: 'ledger_sse_subscribers',
      help: 'Open revocation streams (SSE subscribers of the shared fan-out).',
      registers: [metrics.registry],
      collect() {
        this.set(fanOut.count());
      },
    });
  }

  /** Before the HTTP server listens: subscribers opened from then on start at the head. */
  onModuleInit(): Promise<void> {
    return this.fanOut.start();
  }

  /** Takes a slot for the caller, or refuses with 429 (its own cap) or 503 (the service's). */
  reserve(caller: string): StreamSlot {
    // Before a slot, and before the controller answers 200: a feed stopped at an unreadable event serves nobody.
    this.fanOut.assertReadable();
    const mine = this.perCaller.get(caller) ?? 0;
    if (mine >= this.config.sse.maxPerCaller) {
      throw new ProblemError(
        problem(429, 'too_many_streams', 'Too many requests', `At most ${this.config.sse.maxPerCaller} open revocation streams per caller`),
        { 'retry-after': RETRY_AFTER_PER_CALLER_S },
      );
    }
    if (this.total >= this.config.sse.maxTotal) {
      throw new ProblemError(problem(503, 'streams_exhausted', 'Service unavailable', 'The service holds as many revocation streams as it may; retry later'), {
        'retry-after': RETRY_AFTER_TOTAL_S,
      });
    }
    this.perCaller.set(caller, mine + 1);
    this.total += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
    };
    return {
      open: (sink, after) => {
        try {
          return this.fanOut.open(sink, { after, onClosed: release });
        } catch (error) {
          release();
          throw error;
        }
      },
    };
  }

  count(): number {
    return this.fanOut.count();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.fanOut.stop();
  }
}
