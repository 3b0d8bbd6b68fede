import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandMetadata, Decider, DomainEvent, EVENT_VERSION_FIELD, unavailable } from '@ledger/domain';
import { backoffDelay, EventStore, EventToAppend, WrongExpectedVersionError } from '@ledger/event-store';
import { EventCodec, PLAIN_EVENTS } from './event-codec';
import { PositionScope } from './position-scope';
import { ReadYourWrites } from './read-your-writes.port';
import { CommandPriority, DEFAULT_LANE_LIMITS, StreamLaneLimits, StreamLanes } from './stream-lanes';

export interface Outcome<S, E> {
  state: S;
  /** Events this command appended; empty when the decision was a no-op. */
  events: E[];
  /** Revision of the stream after the command (-1: the stream does not exist). */
  revision: number;
  /**
   * Global position of the stream's last event after the command: the append's when it appended, otherwise that of
   * the newest event the decision rested on (undefined: the stream has no events). A no-op (a retried revocation)
   * thereby points at the event that made it one, which may have come from another instance.
   */
  position?: number;
}

export interface ExecuteOptions {
  priority?: CommandPriority;
}

export interface ExecutorOptions {
  lanes?: StreamLaneLimits;
  /** How long a command may keep losing to other instances' appends before it is answered 503. */
  contentionBudgetMs?: { revocation: number; normal: number };
  /** Where each outcome's position is recorded, for the answer's consistency token. */
  positions?: PositionScope;
  /** How stored events are read and versioned: the ledger's upcasting (LEDGER_EVENTS); plain for other deciders. */
  events?: EventCodec;
}

interface Cached {
  state: unknown;
  revision: number;
  /** Global position of the event at `revision`. */
  position?: number;
}

const CACHE_LIMIT = 50_000;
const DEFAULT_BUDGET = { revocation: 10_000, normal: 2_000 };
const CONFLICT_BACKOFF = { baseMs: 4, maxMs: 200, jitter: true };

/**
 * The one command path: load the stream, fold it, decide, append with the expected revision, retry on conflict,
 * then wait until this instance's views include the append (read-your-writes, behind its own port).
 *
 * Commands on one stream run one at a time on this instance (StreamLanes), revocations first, so they never race
 * each other; a conflict can only come from another instance, and is retried after a jittered backoff until the
 * command's budget runs out (then 503, nothing appended).
 *
 * Folded states are cached per stream with their revision. A decision that appends may be taken on the cached
 * state without reading the store: the append's expected revision proves that nothing was written since, and a
 * conflict drops the cache and decides again. A decision that appends nothing (a no-op or a refusal) proves nothing,
 * so it is only trusted after the stream has been read from the cached revision on. Another writer's events (a
 * second instance on EventStoreDB) are therefore never missed, and the common path costs no read.
 *
 * The store it is given is expected to be chained (libs/audit ChainedEventStore); the executor never sees a link.
 */
export class CommandExecutor {
  private readonly cache = new Map<string, Cached>();
  private readonly lanes: StreamLanes;
  private readonly budget: { revocation: number; normal: number };
  private readonly positions?: PositionScope;
  private readonly codec: EventCodec;

  constructor(
    private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
    options: ExecutorOptions = {},
  ) {
    this.lanes = new StreamLanes(options.lanes ?? DEFAULT_LANE_LIMITS);
    this.budget = options.contentionBudgetMs ?? DEFAULT_BUDGET;
    this.positions = options.positions;
    this.codec = options.events ?? PLAIN_EVENTS;
  }

  /** Commands waiting for their stream on this instance. */
  get queued(): number {
    return this.lanes.queued;
  }

  /**
   * The stream's state. `fresh: false` answers without reading the store: from the cache, or as a new stream when
   * the cache does not know it. Callers must tolerate a stale answer, as execute() does through the expected
   * revision.
   */
  async load<S, C, E extends DomainEvent>(
    stream: string,
    decider: Decider<S, C, E>,
    options: { fresh: boolean } = { fresh: true },
  ): Promise<{ state: S; revision: number; position?: number; fromCache: boolean }> {
    const cached = this.cache.get(stream);
    if (!options.fresh) {
      // Unverified: a stream we have not seen is taken to be new, and 'no_stream' on the append checks that.
      if (cached) return { state: cached.state as S, revision: cached.revision, position: cached.position, fromCache: true };
      return { state: decider.initialState(), revision: -1, fromCache: true };
    }
    let state = (cached?.state as S) ?? decider.initialState();
    let revision = cached?.revision ?? -1;
    let position = cached?.position;
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1 });
    for (const e of newer) {
      state = decider.evolve(state, this.codec.read(e) as E);
      revision = e.revision;
      position = e.position;
    }
    if (newer.length > 0 || !cached) this.remember(stream, { state, revision, position });
    return { state, revision, position, fromCache: false };
  }

  async execute<S, C, E extends DomainEvent>(
    stream: string,
    decider: Decider<S, C, E>,
    command: C,
    meta: CommandMetadata,
    options: ExecuteOptions = {},
  ): Promise<Outcome<S, E>> {
    const stopped = this.readYourWrites.stoppedBy?.();
    if (stopped) throw unavailable('event_unreadable', `This instance's views stopped at an event its build cannot read; it takes no command until it is upgraded (${stopped.message})`);
    const priority = options.priority ?? 'normal';
    const outcome = await this.lanes.run(stream, priority, () => this.decideAndAppend(stream, decider, command, meta, priority));
    // Outside the lane: the next command on the stream need not wait for this one's views. A no-op waits too: the
    // event that made it one may be another instance's, not yet in this instance's views.
    if (outcome.position !== undefined) {
      await this.readYourWrites.waitFor(outcome.position);
      this.positions?.record(outcome.position);
    }
    return outcome;
  }

  private async decideAndAppend<S, C, E extends DomainEvent>(
    stream: string,
    decider: Decider<S, C, E>,
    command: C,
    meta: CommandMetadata,
    priority: CommandPriority,
  ): Promise<Outcome<S, E>> {
    const deadline = Date.now() + this.budget[priority];
    // A stream this instance has not seen is guessed to be new, which saves a read for the commands that start one
    // (a grant). A revocation never starts its stream: on the guess it would only be refused (a thrown error, a
    // stack trace) and then decided again on the stream as read. So it reads first.
    let fresh = priority === 'revocation' && !this.cache.has(stream);
    for (let conflicts = 0; ; ) {
      const { state, revision, position, fromCache } = await this.load(stream, decider, { fresh });
      let events: E[];
      try {
        events = decider.decide(command, state, meta);
      } catch (error) {
        if (!fromCache) throw error;
        fresh = true; // a refusal must stand on the latest state
        continue;
      }
      if (events.length === 0) {
        if (!fromCache) return { state, events, revision, position };
        fresh = true; // so must a no-op
        continue;
      }
      try {
        const result = await this.store.append(
          stream,
          toAppends(events, meta, this.codec),
          { expectedRevision: revision === -1 ? 'no_stream' : revision },
        );
        const next = events.reduce(decider.evolve, state);
        this.remember(stream, { state: next, revision: result.nextRevision, position: result.position });
        return { state: next, events, revision: result.nextRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another instance appended first: drop the cached state, wait a little, and decide again on the fresh stream.
        this.cache.delete(stream);
        fresh = true;
        conflicts += 1;
        // Jittered: instances that collided spread out instead of colliding again.
        const wait = backoffDelay(conflicts - 1, CONFLICT_BACKOFF);
        if (Date.now() + wait > deadline) {
          throw unavailable('stream_contended', 'Other instances keep writing to this consent or client; retry shortly');
        }
        await sleep(wait);
      }
    }
  }

  /** Drops a stream's folded state, so that the next load folds it from the store (as it reads now). */
  protected forget(stream: string): void {
    this.cache.delete(stream);
  }

  private remember(stream: string, entry: Cached): void {
    // Map keeps insertion order: re-inserting marks the entry recent, and the oldest is evicted first.
    this.cache.delete(stream);
    this.cache.set(stream, entry);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/**
 * An event caused by an earlier one of the same decision (DomainEvent.causedBy, a cascade) gets that event's id as
 * its causationId: the cause is given its id here rather than by the store, so that both are known before the append.
 */
function toAppends(events: DomainEvent[], meta: CommandMetadata, codec: EventCodec): EventToAppend[] {
  const causes = new Set(events.flatMap((e) => (e.causedBy === undefined ? [] : [e.causedBy])));
  const ids = events.map((_, i) => (causes.has(i) ? randomUUID() : undefined));
  return events.map((e, i) => {
    const cause = e.causedBy === undefined ? undefined : ids[e.causedBy];
    const appended = toAppend(e, cause === undefined ? meta : { ...meta, causationId: cause }, codec);
    return ids[i] === undefined ? appended : { id: ids[i], ...appended };
  });
}

function toAppend(event: DomainEvent, meta: CommandMetadata, codec: EventCodec): EventToAppend {
  const version = codec.version(event.type);
  return {
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId ?? meta.correlationId,
      initiator: meta.initiator,
      ...(meta.initiatorAsserted ? { initiatorAsserted: true } : {}),
      ...(meta.clientRequestId !== undefined ? { clientRequestId: meta.clientRequestId } : {}),
      ...(meta.reason ? { reason: meta.reason } : {}),
      // The version of the shape the decider wrote, covered by the hash chain (libs/domain event-versions.ts).
      ...(version !== undefined ? { [EVENT_VERSION_FIELD]: version } : {}),
    },
  };
}
