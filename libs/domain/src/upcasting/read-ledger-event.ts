import { isDomainStream } from '../shared/ids';
import { EVENT_VERSIONS, LedgerEvent } from './event-versions';
import { StoredShape, upcast, Upcast } from './upcast';

type Unreadable = Extract<Upcast, { readable: false }>;

/** A stored event as every reader of the log is handed it: where it is, and what it is. */
export interface StoredLedgerEvent extends StoredShape {
  id: string;
  stream: string;
  revision: number;
  position: number;
}

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
  constructor(event: StoredLedgerEvent, unreadable: Unreadable) {
    super(`cannot apply the event at position ${event.position} (stream ${event.stream}, revision ${event.revision}, id ${event.id}): ${WHY[unreadable.reason](unreadable)}`);
    this.name = 'UnreadableEventError';
  }
}

/**
 * The stored event as the current version of its type (upcast); undefined for an event outside the domain's streams
 * (leases, checkpoints), which no reader of the domain folds; UnreadableEventError for one on a domain stream that
 * this build cannot read.
 */
export function readLedgerEvent(event: StoredLedgerEvent, known: Readonly<Record<string, number>> = EVENT_VERSIONS): LedgerEvent | undefined {
  if (!isDomainStream(event.stream)) return undefined;
  const result = upcast(event, known);
  if (!result.readable) throw new UnreadableEventError(event, result);
  return result.event;
}
