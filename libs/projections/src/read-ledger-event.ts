import { EVENT_VERSIONS, isDomainStream, LedgerEvent, upcast, Upcast } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';

type Unreadable = Extract<Upcast, { readable: false }>;

const WHY: Record<Unreadable['reason'], (u: Unreadable) => string> = {
  unknown_type: (u) => `its type ${u.type} is unknown to this build`,
  newer_version: (u) => `it is ${u.type} v${String(u.version)}, and this build reads up to v${u.known}`,
  malformed_version: (u) => `its version ${JSON.stringify(u.version)} is not a whole number from 1`,
};

/**
 * A stored event this build cannot apply. It names the event and its position, so that an operator knows what to
 * upgrade for (or which event of a golden directory broke), and it stops whatever met it: going on would leave views
 * that miss a fact of the log, such as a revocation.
 */
export class UnreadableEventError extends Error {
  constructor(event: StoredEvent, unreadable: Unreadable) {
    super(`cannot apply the event at position ${event.position} (stream ${event.stream}, revision ${event.revision}, id ${event.id}): ${WHY[unreadable.reason](unreadable)}`);
    this.name = 'UnreadableEventError';
  }
}

/**
 * The stored event as the current version of its type (libs/domain upcasting); undefined for an event outside the
 * domain's streams (leases, checkpoints), which no view folds; UnreadableEventError for one on a domain stream that
 * this build cannot read.
 */
export function readLedgerEvent(event: StoredEvent, known: Readonly<Record<string, number>> = EVENT_VERSIONS): LedgerEvent | undefined {
  if (!isDomainStream(event.stream)) return undefined;
  const result = upcast(event, known);
  if (!result.readable) throw new UnreadableEventError(event, result);
  return result.event;
}
