import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus registry and the metrics every part of it reports into. One registry per application
 * instance (not prom-client's global one), so that several instances in one test process do not collide.
 *
 * Other modules register their own metrics in `registry` (e.g. the Kafka publisher's), or report errors through
 * the counters below, so that /metrics stays one document.
 */
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly commandDuration = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time to handle a command, from the command bus to the answer (load, decide, append, wait for the local views).',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventStoreErrors = new Counter({
    name: 'ledger_event_store_errors_total',
    help: 'Event-store failures (not optimistic-concurrency conflicts), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly kafkaErrors = new Counter({
    name: 'ledger_kafka_errors_total',
    help: 'Kafka failures (connect, send), by operation. Reported by the revocation publisher.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  /** Answered introspections by outcome: the HTTP histogram counts them by status, not by what they said. */
  readonly introspections = new Counter({
    name: 'ledger_introspections_total',
    help: 'RFC 7662 introspections answered, by whether the token was active.',
    labelNames: ['active'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  eventStoreError(operation: string): void {
    this.eventStoreErrors.inc({ operation });
  }

  kafkaError(operation: string): void {
    this.kafkaErrors.inc({ operation });
  }
}
