import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
}

const MAX_ATTEMPTS = 10;
const CACHE_LIMIT = 50_000;

/**
 * The whole command path in one place, so that handlers stay thin: load the stream, fold it, decide, append with the
 * expected revision, retry on conflict, and wait until this instance's views include the append (read-your-writes).
 *
 * Folded states are cached per stream with their revision. The cache is only a head start: before every decision
 * the stream is read from the cached revision on, so another writer's events are never missed, and the append's
 * expected revision catches any race in between.
 */
@Injectable()
export class AggregateRepository {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
  ) {}

  async load<C, S, E extends { type: string; data: object }>(stream: string, decider: Decider<C, S, E>): Promise<{ state: S; revision: number }> {
    const cached = this.cache.get(stream);
    let state = (cached?.state as S) ?? decider.initialState();
    let revision = cached?.revision ?? -1;
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1 });
    for (const e of newer) {
      state = decider.evolve(state, { type: e.type, data: e.data } as unknown as E);
      revision = e.revision;
    }
    if (newer.length > 0 || !cached) this.remember(stream, { state, revision });
    return { state, revision };
  }

  async execute<C, S, E extends { type: string; data: object }>(
    stream: string,
    decider: Decider<C, S, E>,
    command: C,
    meta: CommandMetadata,
  ): Promise<Outcome<S, E>> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(stream, decider);
      const events = decider.decide(command, state, meta);
      if (events.length === 0) return { state, events, revision };
      try {
        const result = await this.store.append(stream, events.map((e) => toAppend(e, meta)), {
          expectedRevision: revision === -1 ? 'no_stream' : revision,
        });
        const next = events.reduce(decider.evolve, state);
        this.remember(stream, { state: next, revision: result.nextRevision });
        await this.projection.waitFor(result.position);
        return { state: next, events, revision: result.nextRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        // Someone else appended first: drop the cached state and decide again on the fresh stream.
        this.cache.delete(stream);
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

function toAppend(event: { type: string; data: object }, meta: CommandMetadata): EventToAppend {
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
