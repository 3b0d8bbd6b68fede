import { OnModuleDestroy } from '@nestjs/common';
import { ChainedEventStore, SealedEventStore, SubjectKeys } from '@ledger/audit';
import { CommandExecutor, NO_VIEWS } from '@ledger/commands';
import { Decider, DomainEvent, readSsfStreamEvent, SSF_EVENT_VERSIONS } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { StreamKids } from './stream-kids';

/** How often folds resting on a key destroyed since are dropped, whether or not their stream is loaded again. */
const SWEEP_MS = 1000;

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
export class SsfExecutor extends CommandExecutor implements OnModuleDestroy {
  private readonly kids: StreamKids;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    stored: EventStore,
    private readonly keys: SubjectKeys,
  ) {
    const kids = new StreamKids(new ChainedEventStore(stored));
    super(new SealedEventStore(kids, keys), NO_VIEWS, {
      events: { read: readSsfStreamEvent, version: (type) => (Object.prototype.hasOwnProperty.call(SSF_EVENT_VERSIONS, type) ? SSF_EVENT_VERSIONS[type as keyof typeof SSF_EVENT_VERSIONS] : undefined) },
    });
    this.kids = kids;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Before the key store closes (it is asked on every sweep). */
  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * A fold is kept (and read on from its revision) only while every subject key its events were sealed under is
   * live: a subject's user id reads as the pseudonym once the user is erased (docs/privacy.md), and a fold from before
   * would keep the id in memory, so that a removal by the old id would still find it and a re-add after the user came
   * back would be a no-op. So a load whose fold rests on a key destroyed since (here, or past the key store's
   * live-key TTL on another instance) folds the stream from the store again, as a fresh fold reads the key store
   * anyway; and the sweep drops such folds within SWEEP_MS when nothing loads them. A push stream grows by an
   * acknowledgement every 250 ms: folding it whole on every load cost CPU that grew with the stream's age.
   */
  override async load<S, C, E extends DomainEvent>(stream: string, decider: Decider<S, C, E>, _options?: { fresh: boolean }) {
    if (!this.trusted(stream)) this.forget(stream);
    return super.load(stream, decider, { fresh: true });
  }

  protected override forget(stream: string): void {
    this.kids.forget(stream);
    super.forget(stream);
  }

  private trusted(stream: string): boolean {
    const kids = this.kids.of(stream);
    if (!kids) return false;
    for (const kid of kids) if (!(this.keys.key(kid) instanceof Buffer)) return false;
    return true;
  }

  private sweep(): void {
    try {
      for (const stream of this.kids.streams()) if (!this.trusted(stream)) this.forget(stream);
    } catch {
      // The key store cannot answer (closed, or failing): nothing can be vouched for, so nothing is kept.
      for (const stream of this.kids.streams()) this.forget(stream);
    }
  }
}
