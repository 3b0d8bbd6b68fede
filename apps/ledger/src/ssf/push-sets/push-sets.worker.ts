import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandMetadata, LiveSsfStream, PUSH_DELIVERY, SetError, SsfStreamCreated, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { backoffDelay, EVENT_STORE, EventStore } from '@ledger/event-store';
import { pushSet, SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { HeaderSealer } from '../../infrastructure/ssf-header-key';
import { LeaderHandle, Leadership } from '../../infrastructure/leadership';
import { PREFIX_WRITE_EVENTS, SET_SOURCE_FILTER, SsfSetQueue } from '../set-queue';
import { SsfExecutor } from '../ssf-executor';

/** Every instance on one EventStoreDB competes for it; its holder is the one that pushes (docs/ssf.md). */
export const PUSH_LEASE = 'ssf-push';
/** How often the log's head is looked at for something new to push. */
const TICK_MS = 20;
/** SETs selected at once per stream, pushed one after another. */
const BATCH = 50;
/**
 * SETs taken (202) are recorded as one SsfSetsAcknowledged once this many are waiting or the oldest has waited
 * RECORD_AFTER_MS: one event per SET would be a write per SET and a stream history that grows as fast. Until then
 * the worker remembers them, so they are not sent again; a crash in between sends them again (at least once).
 */
const RECORD_BATCH = 200;
const RECORD_AFTER_MS = 250;
/** The actor of the acknowledgements the push worker records. */
export const PUSH_ACTOR = 'ssf-push';
/** What can give a stream something new to push: a new stream, a revocation, a stream's own SET-bearing event. */
const WAKE_FILTER = { eventTypePrefixes: [...SET_SOURCE_FILTER.eventTypePrefixes, 'SsfStreamCreated'] };
const CREATED_FILTER = { eventTypePrefixes: ['SsfStreamCreated'] };

interface StreamWork {
  /** A pass is due: something that may concern the stream was appended, or its last pass left SETs behind. */
  due: boolean;
  /** Failures in a row, and when the next try is due. */
  failures: number;
  retryAt: number;
  /** Taken by the receiver, not yet recorded. */
  taken: number[];
  takenSince: number;
  /**
   * The last selection's finding: every SET up to here is taken (recorded, or in `taken`) or recorded refused.
   * Recorded with the next acknowledgement, so the next scans start after it; safe to record early, since a SET
   * the receiver took may be passed by the checkpoint at any time after its 202.
   */
  through: number;
  /** Events the scans since the last such record passed with nothing owed (each scan starts after `through`). */
  passed: number;
}

/**
 * RFC 8935 push delivery: a background worker that POSTs each push stream's SETs, oldest first, one at a time per
 * stream (streams in parallel), from the same queue polls read (SsfSetQueue: the log, judged by the stream as it was
 * at each place in it). A 202 is recorded as an acknowledgement on the stream after the POST, so the checkpoint never
 * passes a SET the receiver did not take (at least once; a crash in between sends it again, and the receiver dedupes
 * by jti). A 400 with an RFC 8935 err is recorded at once as the SET's error (acknowledging it, as a poll's setErrs
 * do) and shown in the status; anything else (network error, timeout, 3xx, 5xx) is retried with the ledger's one
 * backoff, base LEDGER_SSF_PUSH_BACKOFF_BASE_MS doubling to LEDGER_SSF_PUSH_BACKOFF_MAX_MS, with no SET skipped:
 * order per stream is the log's. Paused holds (nothing is pushed), disabled drops, as for poll.
 *
 * Runs under a leader lease (the Kafka publisher's mechanism), so on EventStoreDB one instance pushes at a time; a
 * handover sends at most the SETs taken but not yet recorded again.
 */
@Injectable()
export class PushSetsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SsfPush');
  private handle?: LeaderHandle;
  private running = false;
  private loop?: Promise<void>;
  /** Ends the POSTs in flight when the worker stops, so a receiver that never answers cannot hold a shutdown. */
  private aborter = new AbortController();
  /** Kept-alive connections per origin: the origin was allowed, and a handshake per SET would cost more than the SET. */
  private agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
  private readonly work = new Map<string, StreamWork>();
  private readonly busy = new Map<string, Promise<void>>();
  private scannedThrough = -1;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: SsfExecutor,
    private readonly queue: SsfSetQueue,
    private readonly signer: SetSigner,
    private readonly sealer: HeaderSealer,
    private readonly leadership: Leadership,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.handle = this.leadership.runWhileLeader(PUSH_LEASE, () => this.start(), () => this.stop());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.handle?.stop();
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.aborter = new AbortController();
    // What an earlier term remembered is recorded or not; the stream's events say which.
    this.work.clear();
    this.scannedThrough = -1;
    this.loop = this.run();
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.aborter.abort();
    await this.loop;
    await Promise.allSettled(this.busy.values());
    // SETs taken but not recorded: recorded now if the store still answers, else sent again by whoever is next.
    await Promise.allSettled([...this.work.keys()].map((id) => this.record(id, true)));
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
  }

  private async run(): Promise<void> {
    let seenHead: number | undefined;
    while (this.running) {
      try {
        const head = await this.store.headPosition();
        if (head !== seenHead) await this.discover(head);
        seenHead = head;
        const now = Date.now();
        for (const [id, w] of this.work) {
          if (this.busy.has(id)) continue;
          const record = w.taken.length > 0 && now - w.takenSince >= RECORD_AFTER_MS;
          if (!(record || (w.due && w.retryAt <= now))) continue;
          this.busy.set(id, this.pass(id, w).finally(() => this.busy.delete(id)));
        }
      } catch (error) {
        // The store is away: the next tick tries again; its health is the store check's to report.
        this.logger.warn({ msg: 'push scan failed', error: (error as Error).message });
      }
      await sleep(TICK_MS);
    }
  }

  /**
   * What was appended since the last look that can give a stream a SET (one filtered read for every stream): new
   * streams are found, and every stream gets a pass. Acknowledgements wake no one, so ten streams recording their
   * deliveries do not make each other scan the log again. The first look of a term reads only the streams'
   * creations (a long log's revocations are the streams' own scans' to read, from their checkpoints).
   */
  private async discover(head: number): Promise<void> {
    const first = this.scannedThrough < 0;
    let woken = first;
    // While no stream exists a revocation wakes nothing, and reading it would only cost its row and the opening of its
    // sealed user id: on an instance with no SSF receiver, that was every revocation, in scans up to 50 a second.
    const filter = first || this.work.size === 0 ? CREATED_FILTER : WAKE_FILTER;
    for await (const e of this.store.readAll({ after: this.scannedThrough, filter })) {
      this.scannedThrough = e.position;
      woken = true;
      if (e.type === 'SsfStreamCreated') {
        const id = (e.data as unknown as SsfStreamCreated['data']).streamId;
        if (!this.work.has(id)) this.work.set(id, { due: true, failures: 0, retryAt: 0, taken: [], takenSince: 0, through: -1, passed: 0 });
      }
    }
    // Everything up to the head was read, matching or not: without this, a log that grew only by events outside the
    // filter (grants, issues) was paged through again from the last match on every tick while the head moved.
    this.scannedThrough = Math.max(this.scannedThrough, head);
    if (woken) for (const w of this.work.values()) w.due = true;
  }

  private async pass(id: string, w: StreamWork): Promise<void> {
    const { state } = await this.executor.load(ssfStream(id), ssfStreamDecider);
    if (state.status !== 'live') {
      if (state.status === 'deleted') this.work.delete(id);
      return;
    }
    if (w.due && w.retryAt <= Date.now() && state.deliveryMethod === PUSH_DELIVERY && state.push) {
      w.due = false;
      try {
        await this.push(state, w, state.push.endpointUrl, state.push.authorization);
      } catch (error) {
        if (this.running) this.failed(state, w, (error as Error).message);
      }
    }
    if (w.taken.length >= RECORD_BATCH || (w.taken.length > 0 && Date.now() - w.takenSince >= RECORD_AFTER_MS)) await this.record(id, false, state);
  }

  private async push(stream: LiveSsfStream, w: StreamWork, endpoint: string, sealed: string | null): Promise<void> {
    const selection = await this.queue.select(stream, new Set(w.taken), BATCH, w.through);
    w.through = Math.max(w.through, selection.through);
    if (selection.sets.length === 0) {
      w.failures = 0;
      // A quiet stream of a busy log records how far it read, as a poll does.
      w.passed += selection.passed;
      if (w.passed >= PREFIX_WRITE_EVENTS) {
        w.passed = 0;
        await this.queue.acknowledge(stream, this.meta(), w.taken.splice(0), [], w.through);
      }
      return;
    }
    const authorization = sealed === null ? null : this.sealer.open(stream.streamId, sealed);
    const agent = endpoint.startsWith('https:') ? this.agents.https : this.agents.http;
    for (const claims of selection.sets) {
      if (!this.running) return;
      const outcome = await pushSet(endpoint, this.signer.sign(claims), authorization, { timeoutMs: this.config.ssf.push.timeoutMs, signal: this.aborter.signal, agent });
      if (outcome.kind === 'accepted') {
        if (w.taken.length === 0) w.takenSince = Date.now();
        w.taken.push(claims.log_position);
      } else if (outcome.kind === 'rejected') {
        // Recorded before the next SET goes: the status shows it by the time the receiver sees what follows.
        const error: SetError = { position: claims.log_position, err: outcome.err, description: outcome.description };
        await this.queue.acknowledge(stream, this.meta(), [], [error], w.through);
        this.logger.warn({ msg: 'receiver refused a SET; recorded, not sent again', stream: stream.streamId, jti: claims.jti, err: outcome.err });
      } else {
        if (this.running) this.failed(stream, w, `${claims.jti}: ${outcome.reason}`);
        return;
      }
    }
    w.failures = 0;
    // A full batch may have left more behind.
    if (selection.sets.length >= BATCH) w.due = true;
  }

  /** The SETs taken since the last record, as one acknowledgement. */
  private async record(id: string, final: boolean, known?: LiveSsfStream): Promise<void> {
    const w = this.work.get(id);
    if (!w || w.taken.length === 0) return;
    const stream = known ?? (await this.executor.load(ssfStream(id), ssfStreamDecider)).state;
    if (stream.status !== 'live') return;
    const taken = w.taken.splice(0);
    try {
      await this.queue.acknowledge(stream, this.meta(), taken, [], w.through);
    } catch (error) {
      if (!final) w.taken.unshift(...taken);
      throw error;
    }
  }

  /** The next try after the ledger's one backoff (jittered, capped); the SET stays first in line. */
  private failed(stream: LiveSsfStream, w: StreamWork, reason: string): void {
    w.failures += 1;
    const { backoffBaseMs, backoffMaxMs } = this.config.ssf.push;
    const delay = backoffDelay(w.failures - 1, { baseMs: backoffBaseMs, maxMs: backoffMaxMs, jitter: true });
    w.retryAt = Date.now() + delay;
    w.due = true;
    // The endpoint is an allowed origin; the header is never part of a reason.
    this.logger.warn({ msg: 'push failed; retrying', stream: stream.streamId, reason, failures: w.failures, retryInMs: delay });
  }

  private meta(): CommandMetadata {
    return { now: new Date(), actor: PUSH_ACTOR, correlationId: `ssf-push-${randomUUID()}`, initiator: 'system' };
  }
}
