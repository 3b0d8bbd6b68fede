import { DomainEvent, EVENT_VERSIONS, unavailable, upcast } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';

/** How the executor reads a stored event for its decider, and which version it records on an event it appends. */
export interface EventCodec {
  read(event: StoredEvent): DomainEvent;
  version(type: string): number | undefined;
}

/** For deciders outside the ledger's domain (the executor's own specs): the stored type and data, no version. */
export const PLAIN_EVENTS: EventCodec = { read: (e) => ({ type: e.type, data: e.data }), version: () => undefined };

/**
 * The ledger's events, read through libs/domain's upcasters and versioned by EVENT_VERSIONS. An event this build
 * cannot read refuses the command with 503 event_unreadable: a decision on a state that lacks a fact of the stream
 * (a revocation it does not know) could issue what that fact forbids. `known` is EVENT_VERSIONS except in a test
 * that plays a build that does not know a type yet.
 */
export function ledgerEvents(known: Readonly<Record<string, number>> = EVENT_VERSIONS): EventCodec {
  return {
    read(e) {
      const result = upcast(e, known);
      if (result.readable) return result.event;
      throw unavailable('event_unreadable', `This instance cannot read an event of this stream (position ${e.position}, ${e.type}: ${result.reason}); it needs an upgrade`);
    },
    version: (type) => (Object.prototype.hasOwnProperty.call(known, type) ? known[type] : undefined),
  };
}
