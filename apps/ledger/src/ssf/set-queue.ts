import { Inject, Injectable } from '@nestjs/common';
import { READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { CommandMetadata, evolveSsfStream, initialSsfStreamState, LiveSsfStream, SetError, readSsfStreamEvent, SsfStreamState, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { EVENT_STORE, EventStore, StoredEvent } from '@ledger/event-store';
import { REVOCATION_DOMAIN_EVENT_TYPES, Selection, selectSets } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { SsfExecutor } from './ssf-executor';
import { SsfReceivers } from './ssf-receivers';

/** What the log scan reads: revocations, and the SSF events a stream's own SETs come from. */
export const SET_SOURCE_FILTER = { eventTypePrefixes: [...REVOCATION_DOMAIN_EVENT_TYPES, 'SsfVerificationRequested', 'SsfStreamStatusChanged', 'SsfStreamConfigured'] };
/**
 * A scan that passed this many events of the log before the first SET it owes records how far it got (an
 * SsfSetsAcknowledged with no positions), so a quiet stream of a busy ledger does not read the same events again;
 * one event per this many passed is the price.
 */
export const PREFIX_WRITE_EVENTS = 1000;

/**
 * A stream's SETs still owed, and their acknowledgement: one queue for both delivery methods. Poll (RFC 8936)
 * acknowledges what the receiver acks; push (RFC 8935) what the receiver answered 202 to. Either way the stream's
 * own SsfSetsAcknowledged events are the checkpoint, so nothing is held in memory between deliveries and an
 * acknowledged SET is never sent again, after a restart too.
 */
@Injectable()
export class SsfSetQueue {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: SsfExecutor,
    private readonly receivers: SsfReceivers,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(READ_YOUR_WRITES) private readonly views: ReadYourWrites,
  ) {}

  /**
   * The oldest `max` SETs owed, by log position, after `through` (a position known to have nothing owed up to it);
   * none while the stream is not enabled (paused holds them), as its history read here says (a status changed since
   * the caller loaded the stream counts).
   */
  async select(stream: LiveSsfStream, acknowledging: ReadonlySet<number>, max: number, through = -1): Promise<Selection> {
    if (stream.streamStatus !== 'enabled') return { sets: [], through: stream.ackedThrough, passed: 0 };
    const history = await this.store.readStream(ssfStream(stream.streamId));
    const now = history.reduce<SsfStreamState>((s, e) => evolveSsfStream(s, readSsfStreamEvent(e)), initialSsfStreamState());
    if (now.status !== 'live' || now.streamStatus !== 'enabled') return { sets: [], through: stream.ackedThrough, passed: 0 };
    // `through`: the caller's own finding of its last selection (every SET up to it taken or recorded, see
    // StreamWork.through), ahead of the recorded one until the next acknowledgement: the push worker's passes in
    // between would otherwise read (and open) the same revocations again, every 20 ms, on every stream.
    const after = Math.max(stream.ackedThrough, history[0].position - 1, through);
    // Fail closed (issue #17): the scan selects by type, so an event this build cannot read (a newer build's
    // revocation) would be passed unseen, and the stream's acknowledged prefix would move past it for good. So it
    // reads only what this instance's views have applied, which read every event of the domain's streams: up to the
    // head as it is now, once they include it; and while they have stopped at an unreadable event, nothing (503
    // event_unreadable for a poll; the push worker retries).
    const head = await this.store.headPosition();
    await this.views.caughtUp();
    const stopped = this.views.stoppedBy?.();
    if (stopped) throw stopped;
    return selectSets({
      issuer: this.config.issuer,
      audience: this.receivers.audienceOf(stream.receiver),
      entitlement: this.receivers.entitlementOf(stream.receiver),
      history,
      log: upTo(this.store.readAll({ after, filter: SET_SOURCE_FILTER }), head),
      acknowledging,
      max,
    });
  }

  async acknowledge(stream: LiveSsfStream, meta: CommandMetadata, positions: number[], errors: SetError[], through: number): Promise<void> {
    const command = { type: 'AcknowledgeSets' as const, data: { streamId: stream.streamId, receiver: stream.receiver, positions, errors, through } };
    await this.executor.execute(ssfStream(stream.streamId), ssfStreamDecider, command, meta);
  }
}

/** The events of `log` up to `last` (inclusive): the part of the log the views are known to have read. */
async function* upTo(log: AsyncIterable<StoredEvent>, last: number): AsyncIterable<StoredEvent> {
  for await (const event of log) {
    if (event.position > last) return;
    yield event;
  }
}
