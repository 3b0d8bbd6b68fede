import { ChainedEventStore } from '@ledger/audit';
import { CommandExecutor, NO_VIEWS } from '@ledger/commands';
import type { EventStore } from '@ledger/event-store';

/**
 * The executor of the Shared Signals streams' commands. Its own, because no view reads their events: the shared
 * executor would wait after every append for views that never include it (the projection filters to ledger events).
 * Same path otherwise (load, decide, append with the expected revision, retry), on streams no other executor
 * writes, chained like every append (docs/audit.md).
 */
export class SsfExecutor extends CommandExecutor {
  constructor(store: EventStore) {
    super(new ChainedEventStore(store), NO_VIEWS);
  }
}
