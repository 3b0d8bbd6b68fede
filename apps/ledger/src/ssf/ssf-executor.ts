import { ChainedEventStore, SealedEventStore, SubjectKeys } from '@ledger/audit';
import { CommandExecutor, NO_VIEWS } from '@ledger/commands';
import { readSsfStreamEvent, SSF_EVENT_VERSIONS } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';

/**
 * The executor of the Shared Signals streams' commands. Its own, because no view reads their events: the shared
 * executor would wait after every append for views that never include it (the projection filters to ledger events).
 * Same path otherwise (load, decide, append with the expected revision, retry), on streams no other executor
 * writes, chained like every append (docs/audit.md), and sealed above the chain as the shared executor is (the
 * chain links what is stored: sealing below it would store bytes other than those linked).
 *
 * `stored`: the store as stored (STORED_EVENT_STORE), not the opened EVENT_STORE. Its events are versioned and
 * upcast by their own table (libs/domain ssf-event-versions.ts): the ledger's EVENT_VERSIONS does not list them.
 */
export class SsfExecutor extends CommandExecutor {
  constructor(stored: EventStore, keys: SubjectKeys) {
    super(new SealedEventStore(new ChainedEventStore(stored), keys), NO_VIEWS, {
      events: { read: readSsfStreamEvent, version: (type) => (Object.prototype.hasOwnProperty.call(SSF_EVENT_VERSIONS, type) ? SSF_EVENT_VERSIONS[type as keyof typeof SSF_EVENT_VERSIONS] : undefined) },
    });
  }
}
