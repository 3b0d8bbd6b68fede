import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { GENESIS_LINK, linkEvents, linkOf } from '@ledger/audit';
import type { CommandMetadata } from '@ledger/domain';
import { EVENT_STORE, EventStore, EventToAppend, StoredEvent, WrongExpectedVersionError } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';

export interface Decider<C, S, E extends { type: string; data: object }> {
  initialState(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, meta: CommandMetadata): E[];
}

export interface Outcome<S, E> {
  state: S;
  /** Events this command appended; empty when the decision was a no-op. */
  events: E[];
  /** Revision of the stream after the command (-1: the stream does not exist). */
  revision: number;
  position?: number;
}

interface Cached {
  state: unknown;
  revision: number;
  /** Tamper-evidence link of the stream's last event (docs/audit.md); GENESIS_LINK for an empty stream. */
  link: string;
}

const MAX_ATTEMPTS = 10;
const CACHE_LIMIT = 50_000;

/**
 * The whole command path in one place, so that handlers stay thin: load the stream, fold it, decide, append with the
 * expected revision, retry on conflict, and wait until this instance's views include the append (read-your-writes).
 *
 * Folded states are cached per stream with their revision. A decision that appends may be taken on the cached
 * state without reading the store: the append's expected revision proves that nothing was written since, and a
 * conflict drops the cache and decides again. A decision that appends nothing (a no-op or a refusal) proves nothing,
 * so it is only trusted after the stream has been read from the cached revision on. Another writer's events (a
 * second instance on EventStoreDB) are therefore never missed, and the common path costs no read.
 */
@Injectable()
export class AggregateRepository {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
  ) {}

  /**
   * The stream's state. `fresh: false` answers without reading the store: from the cache, or as a new stream when
   * the cache does not know it. Callers must tolerate a stale answer, as execute() does through the expected
   * revision.
   */
  async load<C, S, E extends { type: string; data: object }>(
    stream: string,
    decider: Decider<C, S, E>,
    options: { fresh: boolean } = { fresh: true },
  ): Promise<{ state: S; revision: number; link: string; fromCache: boolean }> {
    const cached = this.cache.get(stream);
    if (!options.fresh) {
      // Unverified: a stream we have not seen is taken to be new, and 'no_stream' on the append checks that.
      if (cached) return { state: cached.state as S, revision: cached.revision, link: cached.link, fromCache: true };
      return { state: decider.initialState(), revision: -1, link: GENESIS_LINK, fromCache: true };
    }
    let state = (cached?.state as S) ?? decider.initialState();
    let revision = cached?.revision ?? -1;
    let link = cached?.link ?? GENESIS_LINK;
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1 });
    for (const e of newer) {
      state = decider.evolve(state, { type: e.type, data: e.data } as unknown as E);
      revision = e.revision;
      link = linkOf(e.metadata) ?? GENESIS_LINK;
    }
    if (newer.length > 0 || !cached) this.remember(stream, { state, revision, link });
    return { state, revision, link, fromCache: false };
  }

  async execute<C, S, E extends { type: string; data: object }>(
    stream: string,
    decider: Decider<C, S, E>,
    command: C,
    meta: CommandMetadata,
  ): Promise<Outcome<S, E>> {
    let fresh = false;
    for (let attempt = 1; ; attempt++) {
      const { state, revision, link, fromCache } = await this.load(stream, decider, { fresh });
      let events: E[];
      try {
        events = decider.decide(command, state, meta);
      } catch (error) {
        if (!fromCache) throw error;
        fresh = true; // a refusal must stand on the latest state
        continue;
      }
      if (events.length === 0) {
        if (!fromCache) return { state, events, revision };
        fresh = true; // so must a no-op
        continue;
      }
      // Chain each new event to the stream's last one. The links assume the events land at revision + 1...; the
      // expected revision below guarantees exactly that, so a link can never be computed against a stale head.
      const linked = linkEvents(stream, revision + 1, link, events.map((e) => toAppend(e, meta)));
      try {
        const result = await this.store.append(stream, linked.events, {
          expectedRevision: revision === -1 ? 'no_stream' : revision,
        });
        const next = events.reduce(decider.evolve, state);
        this.remember(stream, { state: next, revision: result.nextRevision, link: linked.lastLink });
        await this.projection.waitFor(result.position);
        return { state: next, events, revision: result.nextRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        // Someone else appended first: drop the cached state and decide again on the fresh stream.
        this.cache.delete(stream);
        fresh = true;
      }
    }
  }

  async readStream(stream: string): Promise<StoredEvent[]> {
    return this.store.readStream(stream);
  }

  private remember(stream: string, entry: Cached): void {
    // Map keeps insertion order: re-inserting marks the entry recent, and the oldest is evicted first.
    this.cache.delete(stream);
    this.cache.set(stream, entry);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }
}

function toAppend(event: { type: string; data: object }, meta: CommandMetadata): EventToAppend & { id: string } {
  return {
    id: randomUUID(),
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.correlationId,
      initiator: meta.initiator,
      ...(meta.reason ? { reason: meta.reason } : {}),
    },
  };
}
