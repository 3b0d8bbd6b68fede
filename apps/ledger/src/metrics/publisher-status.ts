/**
 * What the Kafka revocation publisher may offer to /metrics and /health. Optional: provide it under this token
 * (e.g. `{ provide: REVOCATION_PUBLISHER_STATUS, useExisting: RevocationPublisher }`) and the lag gauges, the
 * `publisher` member of /health/ready and the /health/publisher check appear; without it, Kafka is simply not reported.
 */
export const REVOCATION_PUBLISHER_STATUS = Symbol('REVOCATION_PUBLISHER_STATUS');

export interface RevocationPublisherStatus {
  status(): {
    /** Global position of the last event the publisher has dealt with (published or skipped); -1 before any. */
    position: number;
    /** recordedAt of that event, for the lag in seconds. */
    lastRecordedAt?: string;
    /** false while the producer cannot publish (disconnected, failing): /health/publisher turns 503, readiness does not. */
    healthy: boolean;
    lastError?: string;
  };
}
