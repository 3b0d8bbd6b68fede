import type { ExpectedRevision } from '../event-store.port';

/**
 * The pure half of the leader lease (leader-lease.ts runs it against the event-store port).
 *
 * A lease is a stream, `ledger-lease-<name>`, whose last event is the current record. Writing the next record needs
 * the stream's current revision as the expected revision, so of two instances that try at once exactly one wins:
 * the store's optimistic concurrency is the only arbiter, no clock is compared across machines.
 *
 * Time is only ever measured on one machine's own clock:
 * - a contender starts the clock when it first sees a revision of the stream, and takes over once that same revision
 *   has stood unchanged for the holder's announced ttl (as Kubernetes' leader election does with its observed time);
 * - the holder counts from the moment it SENT its last successful write, which is no later than any contender could
 *   have seen it, and steps down `stepDownMarginMs` before the ttl ends. So the holder has stopped (fencing) before
 *   any contender may start, as long as both clocks run at about the same rate and no process freezes for longer
 *   than the margin.
 */

/** The event type of lease records: `$`-prefixed, so no subscription or readAll of the port ever delivers it. */
export const LEASE_EVENT_TYPE = '$ledger-lease';
export const LEASE_STREAM_PREFIX = 'ledger-lease-';

export function leaseStream(name: string): string {
  return `${LEASE_STREAM_PREFIX}${name}`;
}

export interface LeaseRecord {
  /** Who holds (or last held) the lease. */
  holder: string;
  /** Increases with every change of holder: a fencing token for whoever wants to stamp its writes. */
  term: number;
  /** How long after this record contenders must leave the lease alone. */
  ttlMs: number;
  /** How often the holder means to renew (informational, for operators). */
  renewIntervalMs: number;
  /** The holder let go on purpose (graceful shutdown): anyone may take over at once. */
  released: boolean;
}

export interface LeaseTiming {
  ttlMs: number;
  renewIntervalMs: number;
  /** The holder steps down this long before the ttl (counted from its last successful write) could end. */
  stepDownMarginMs: number;
}

/** A record as this instance saw it, with the local instant it first saw this revision. */
export interface ObservedLease {
  revision: number;
  record: LeaseRecord;
  sinceMs: number;
}

export type LeaseDecision =
  | { action: 'acquire'; expectedRevision: ExpectedRevision; term: number; reason: 'vacant' | 'released' | 'expired' }
  | { action: 'renew'; expectedRevision: number; term: number }
  | { action: 'wait'; holder: string; retryInMs: number };

export function defaultLeaseTiming(ttlMs = 15_000, renewIntervalMs = Math.round(ttlMs / 5)): LeaseTiming {
  return { ttlMs, renewIntervalMs, stepDownMarginMs: Math.round(ttlMs / 3) };
}

/**
 * Refuses timings that cannot work: the holder must get at least two renewals in before it has to step down, or one
 * slow write would cost the lease every time.
 */
export function validateLeaseTiming(t: LeaseTiming): void {
  const problems: string[] = [];
  if (!(t.ttlMs > 0)) problems.push('ttlMs must be positive');
  if (!(t.renewIntervalMs > 0)) problems.push('renewIntervalMs must be positive');
  if (!(t.stepDownMarginMs > 0)) problems.push('stepDownMarginMs must be positive');
  if (t.stepDownMarginMs >= t.ttlMs) problems.push('stepDownMarginMs must be smaller than ttlMs');
  if (2 * t.renewIntervalMs > t.ttlMs - t.stepDownMarginMs) {
    problems.push('renewIntervalMs must fit twice into ttlMs - stepDownMarginMs');
  }
  if (problems.length > 0) throw new RangeError(`Invalid lease timing: ${problems.join('; ')}`);
}

/** Keeps the local instant of the first sighting while the revision stays the same; restarts it on any change. */
export function observe(
  previous: ObservedLease | undefined,
  latest: { revision: number; record: LeaseRecord } | undefined,
  nowMs: number,
): ObservedLease | undefined {
  if (!latest) return undefined;
  if (previous && previous.revision === latest.revision) return previous;
  return { revision: latest.revision, record: latest.record, sinceMs: nowMs };
}

/** What an instance should do with the lease now. */
export function decideLease(observed: ObservedLease | undefined, self: string, nowMs: number): LeaseDecision {
  if (!observed) return { action: 'acquire', expectedRevision: 'no_stream', term: 1, reason: 'vacant' };
  const { record, revision } = observed;
  // Our own record: renew it. This is also right after we stepped down for want of renewals: if nobody else wrote in
  // the meantime, the expected revision proves it and we simply hold the lease again.
  if (record.holder === self && !record.released) return { action: 'renew', expectedRevision: revision, term: record.term };
  if (record.released) return { action: 'acquire', expectedRevision: revision, term: record.term + 1, reason: 'released' };
  const age = nowMs - observed.sinceMs;
  if (age >= record.ttlMs) return { action: 'acquire', expectedRevision: revision, term: record.term + 1, reason: 'expired' };
  return { action: 'wait', holder: record.holder, retryInMs: record.ttlMs - age };
}

/** The last local instant at which a holder whose write was sent at `sentAtMs` may still act as the holder. */
export function holdUntil(sentAtMs: number, timing: LeaseTiming): number {
  return sentAtMs + timing.ttlMs - timing.stepDownMarginMs;
}

/** Reads a stored record back; anything malformed counts as no lease at all (it can then be overwritten). */
export function parseLeaseRecord(data: Record<string, unknown>): LeaseRecord | undefined {
  const { holder, term, ttlMs, renewIntervalMs, released } = data;
  if (typeof holder !== 'string' || typeof term !== 'number' || typeof ttlMs !== 'number') return undefined;
  return {
    holder,
    term,
    ttlMs,
    renewIntervalMs: typeof renewIntervalMs === 'number' ? renewIntervalMs : 0,
    released: released === true,
  };
}
