import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandMetadata, LiveSsfStream, PUSH_DELIVERY, SetError, SsfStreamCreated, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { backoffDelay, EVENT_STORE, EventStore } from '@ledger/event-store';
import { pushSet, SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { HeaderSealer } from '../../infrastructure/ssf-header-key';
import { LeaderHandle, Leadership } from '../../infrastructure/leadership';
import { PREFIX_WRITE_EVENTS, SsfSetQueue } from '../set-queue';
import { SsfExecutor } from '../ssf-executor';

/** Every instance on one EventStoreDB competes for it; its holder is the one that pushes (docs/ssf.md). */
export const PUSH_LEASE = 'ssf-push';
/** How often the log's head is looked at for something new to push. */
const TICK_MS = 50;
/** SETs pushed, one after another, before their 202s are recorded as one SsfSetsAcknowledged. */
const BATCH = 50;
/** The actor of the acknowledgements the push worker records. */
export const PUSH_ACTOR = 'ssf-push';

interface Retry {
  failures: number;
  dueAt: number;
}

/**
 * RFC 8935 push delivery: a background worker that POSTs each push stream's SETs, oldest first, one at a time per
 * stream (streams in parallel), from the same queue polls read (SsfSetQueue: the log, judged by the stream as it was
 * at each place in it). A 202 is recorded as an acknowledgement on the stream, after the POST, so the checkpoint never
 * passes a SET the receiver did not take (at least once; a crash in between sends it again, and the receiver dedupes
 * by jti). A 400 with an RFC 8935 err is recorded as the SET's error (acknowledging it, as a poll's setErrs do) and
 * shown in the status; anything else (network error, timeout, 3xx, 5xx) is retried with the ledger's one backoff,
 * base LEDGER_SSF_PUSH_BACKOFF_BASE_MS doubling to LEDGER_SSF_PUSH_BACKOFF_MAX_MS, with no SET skipped: order per
 * stream is the log's. Paused holds (nothing is pushed), disabled drops, as for poll.
 *
 * Runs under a leader lease (the Kafka publisher's mechanism), so on EventStoreDB one instance pushes at a time; a
 * handover sends at most the SETs of an unrecorded batch again.
 */
@Injectable()
export class PushSetsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SsfPush');
  private handle?: LeaderHandle;
  private running = false;
  private loop?: Promise<void>;
  /** Ends the POSTs in flight when the worker stops, so a receiver that never answers cannot hold a shutdown. */
  private aborter = new AbortController();
  private readonly streams = new Set<string>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, Retry>();
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
    this.loop = this.run();
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.aborter.abort();
    await this.loop;
    await Promise.allSettled(this.busy.values());
  }

  private async run(): Promise<void> {
    let seenHead: number | undefined;
    while (this.running) {
      try {
        const head = await this.store.headPosition();
        const moved = head !== seenHead;
        if (moved) await this.discover();
        seenHead = head;
        const now = Date.now();
        for (const id of this.streams) {
          const retry = this.retries.get(id);
          if (this.busy.has(id) || (retry ? retry.dueAt > now : !moved)) continue;
          this.busy.set(id, this.deliver(id).finally(() => this.busy.delete(id)));
        }
      } catch (error) {
        // The store is away: the next tick tries again; its health is the store check's to report.
        this.logger.warn({ msg: 'push scan failed', error: (error as Error).message });
      }
      await sleep(TICK_MS);
    }
  }

  /** Streams created since the last look (a scan of their creation events alone, from where the last one ended). */
  private async discover(): Promise<void> {
    for await (const e of this.store.readAll({ after: this.scannedThrough, filter: { eventTypePrefixes: ['SsfStreamCreated'] } })) {
      this.streams.add((e.data as unknown as SsfStreamCreated['data']).streamId);
      this.scannedThrough = e.position;
    }
  }

  private async deliver(id: string): Promise<void> {
    const { state } = await this.executor.load(ssfStream(id), ssfStreamDecider);
    if (state.status === 'deleted') this.streams.delete(id);
    if (state.status !== 'live' || state.deliveryMethod !== PUSH_DELIVERY || !state.push) return void this.retries.delete(id);
    try {
      await this.push(state, state.push.endpointUrl, state.push.authorization);
    } catch (error) {
      this.failed(state, (error as Error).message);
    }
  }

  private async push(stream: LiveSsfStream, endpoint: string, sealed: string | null): Promise<void> {
    const selection = await this.queue.select(stream, new Set(), BATCH);
    if (selection.sets.length === 0) {
      this.retries.delete(stream.streamId);
      if (selection.passed >= PREFIX_WRITE_EVENTS) await this.queue.acknowledge(stream, this.meta(), [], [], selection.through);
      return;
    }
    const authorization = sealed === null ? null : this.sealer.open(stream.streamId, sealed);
    const accepted: number[] = [];
    const errors: SetError[] = [];
    let failure: string | undefined;
    for (const claims of selection.sets) {
      if (!this.running) break;
      const outcome = await pushSet(endpoint, this.signer.sign(claims), authorization, { timeoutMs: this.config.ssf.push.timeoutMs, signal: this.aborter.signal });
      const position = claims.log_position;
      if (outcome.kind === 'accepted') accepted.push(position);
      else if (outcome.kind === 'rejected') {
        errors.push({ position, err: outcome.err, description: outcome.description });
        this.logger.warn({ msg: 'receiver refused a SET; recorded, not sent again', stream: stream.streamId, jti: claims.jti, err: outcome.err });
      } else {
        failure = `${claims.jti}: ${outcome.reason}`;
        break;
      }
    }
    if (accepted.length > 0 || errors.length > 0) await this.queue.acknowledge(stream, this.meta(), accepted, errors, selection.through);
    if (failure === undefined) this.retries.delete(stream.streamId);
    // Stopping is no failure of the receiver's: the next holder starts from the checkpoint.
    else if (this.running) this.failed(stream, failure);
  }

  /** The next try after the ledger's one backoff (jittered, capped); the SET stays first in line. */
  private failed(stream: LiveSsfStream, reason: string): void {
    const failures = (this.retries.get(stream.streamId)?.failures ?? 0) + 1;
    const { backoffBaseMs, backoffMaxMs } = this.config.ssf.push;
    const delay = backoffDelay(failures - 1, { baseMs: backoffBaseMs, maxMs: backoffMaxMs, jitter: true });
    this.retries.set(stream.streamId, { failures, dueAt: Date.now() + delay });
    // The endpoint is an allowed origin; the header is never part of a reason.
    this.logger.warn({ msg: 'push failed; retrying', stream: stream.streamId, reason, failures, retryInMs: delay });
  }

  private meta(): CommandMetadata {
    return { now: new Date(), actor: PUSH_ACTOR, correlationId: `ssf-push-${randomUUID()}`, initiator: 'system' };
  }
}
