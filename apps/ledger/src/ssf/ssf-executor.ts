import { ChainedEventStore, SealedEventStore, SubjectKeys } from '@ledger/audit';
import { CommandExecutor, NO_VIEWS } from '@ledger/commands';
import { Decider, DomainEvent, readSsfStreamEvent, SSF_EVENT_VERSIONS } from '@ledger/domain';
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
  /**
   * Every load folds the stream from the store, never from a state folded earlier: a subject's user id reads as the
   * pseudonym once the user is erased (docs/privacy.md), and a cached fold would keep the id (in memory) and its key,
   * so that a removal by the old id would still find it and a re-add after the user came back would be a no-op. The
   * streams are small, and a poll reads the whole stream anyway (SsfSetQueue).
   */
  override async load<S, C, E extends DomainEvent>(stream: string, decider: Decider<S, C, E>, _options?: { fresh: boolean }) {
    this.forget(stream);
    return super.load(stream, decider, { fresh: true });
  }

  constructor(stored: EventStore, keys: SubjectKeys) {
    super(new SealedEventStore(new ChainedEventStore(stored), keys), NO_VIEWS, {
      events: { read: readSsfStreamEvent, version: (type) => (Object.prototype.hasOwnProperty.call(SSF_EVENT_VERSIONS, type) ? SSF_EVENT_VERSIONS[type as keyof typeof SSF_EVENT_VERSIONS] : undefined) },
    });
  }
}
