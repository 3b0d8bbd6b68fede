import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SsfExecutor } from '../ssf-executor';
import { CommandMetadata, LiveSsfStream, ownStream, SetError, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { positionOfJti, REVOCATION_DOMAIN_EVENT_TYPES, selectSets, SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { SsfReceivers } from '../ssf-receivers';
import { PollResult, PollSets, PollSetsCommand } from './poll-sets.command';

export const DEFAULT_MAX_EVENTS = 100;
const WAIT_STEP_MS = 100;
/**
 * A poll that passed this many events of the log before the first SET it owes records how far it got (an
 * SsfSetsAcknowledged with no positions), so a quiet stream of a busy ledger does not read the same events at every
 * poll; one event per this many passed is the price.
 */
export const PREFIX_WRITE_EVENTS = 1000;
/** What the log scan reads: revocations, and the SSF events a stream's own SETs come from. */
const FILTER = { eventTypePrefixes: [...REVOCATION_DOMAIN_EVENT_TYPES, 'SsfVerificationRequested', 'SsfStreamStatusChanged', 'SsfStreamConfigured'] };

/**
 * RFC 8936 poll delivery, straight from the log: acknowledgements and setErrs are recorded first (one
 * SsfSetsAcknowledged on the stream, so an acknowledged SET never comes back, after a restart too), then the log is
 * read from the stream's acknowledged prefix for what is left (selectSets). An unacknowledged SET is sent again at
 * every poll until it is acknowledged. Nothing is kept in memory between polls: the stream's events are its
 * checkpoint. Without returnImmediately, waits up to LEDGER_SSF_LONG_POLL_MS for a SET to arrive.
 */
@CommandHandler(PollSetsCommand)
export class PollSetsHandler implements ICommandHandler<PollSetsCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: SsfExecutor,
    private readonly signer: SetSigner,
    private readonly receivers: SsfReceivers,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ data, meta }: PollSetsCommand): Promise<PollResult> {
    const stream = ownStream((await this.executor.load(ssfStream(data.streamId), ssfStreamDecider)).state, data.receiver);
    // A position past the head names no SET yet: acknowledging it would drop a SET before it was ever sent.
    const head = await this.store.headPosition();
    const { positions, errors } = acknowledgements(data, head);
    const max = data.maxEvents ?? DEFAULT_MAX_EVENTS;
    let selection = await this.select(stream, new Set([...positions, ...errors.map((e) => e.position)]), max);
    if (positions.length > 0 || errors.length > 0 || selection.passed >= PREFIX_WRITE_EVENTS) await this.acknowledge(data, meta, positions, errors, selection.through);
    const deadline = Date.now() + (data.returnImmediately || max === 0 ? 0 : this.config.ssf.longPollMs);
    while (selection.sets.length === 0 && Date.now() < deadline) {
      const before = await this.store.headPosition();
      while (Date.now() < deadline && (await this.store.headPosition()) === before) await sleep(WAIT_STEP_MS);
      const current = ownStream((await this.executor.load(ssfStream(data.streamId), ssfStreamDecider)).state, data.receiver);
      selection = await this.select(current, new Set(), max);
    }
    const sets: Record<string, string> = {};
    for (const claims of selection.sets.slice(0, max)) sets[claims.jti] = this.signer.sign(claims);
    return { sets, moreAvailable: selection.sets.length > max };
  }

  /** One more than asked for, to tell whether more are available. Nothing while the stream is not enabled. */
  private async select(stream: LiveSsfStream, acknowledging: ReadonlySet<number>, max: number) {
    if (stream.streamStatus !== 'enabled') return { sets: [], through: stream.ackedThrough, passed: 0 };
    const history = await this.store.readStream(ssfStream(stream.streamId));
    const after = Math.max(stream.ackedThrough, history[0].position - 1);
    return selectSets({
      issuer: this.config.issuer,
      audience: this.receivers.audienceOf(stream.receiver),
      entitlement: this.receivers.entitlementOf(stream.receiver),
      history,
      log: this.store.readAll({ after, filter: FILTER }),
      acknowledging,
      max: max + 1,
    });
  }

  private async acknowledge(data: PollSets, meta: CommandMetadata, positions: number[], errors: SetError[], through: number) {
    const command = { type: 'AcknowledgeSets' as const, data: { streamId: data.streamId, receiver: data.receiver, positions, errors, through } };
    await this.executor.execute(ssfStream(data.streamId), ssfStreamDecider, command, meta);
  }
}

/** The positions the jtis name; a jti that is not one of this stream's SETs is ignored, as RFC 8936 allows. */
function acknowledgements(data: PollSets, head: number): { positions: number[]; errors: SetError[] } {
  const known = (jti: string) => {
    const position = positionOfJti(data.streamId, jti);
    return position !== undefined && position <= head ? position : undefined;
  };
  const positions = data.ack.map(known).filter((p): p is number => p !== undefined);
  const errors = data.setErrs.flatMap((e) => {
    const position = known(e.jti);
    return position === undefined ? [] : [{ position, err: e.err, description: e.description }];
  });
  return { positions, errors };
}
