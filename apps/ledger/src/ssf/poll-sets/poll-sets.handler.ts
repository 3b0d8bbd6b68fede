import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SsfExecutor } from '../ssf-executor';
import { ownStream, SetError, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { positionOfJti, SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { PREFIX_WRITE_EVENTS, SsfSetQueue } from '../set-queue';
import { PollResult, PollSets, PollSetsCommand } from './poll-sets.command';

export const DEFAULT_MAX_EVENTS = 100;
const WAIT_STEP_MS = 100;
/**
 * RFC 8936 poll delivery, straight from the log: acknowledgements and setErrs are recorded first (one
 * SsfSetsAcknowledged on the stream, so an acknowledged SET never comes back, after a restart too), then the log is
 * read from the stream's acknowledged prefix for what is left (SsfSetQueue). An unacknowledged SET is sent again at
 * every poll until it is acknowledged. Nothing is kept in memory between polls: the stream's events are its
 * checkpoint. Without returnImmediately, waits up to LEDGER_SSF_LONG_POLL_MS for a SET to arrive.
 */
@CommandHandler(PollSetsCommand)
export class PollSetsHandler implements ICommandHandler<PollSetsCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: SsfExecutor,
    private readonly signer: SetSigner,
    private readonly queue: SsfSetQueue,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ data, meta }: PollSetsCommand): Promise<PollResult> {
    const stream = ownStream((await this.executor.load(ssfStream(data.streamId), ssfStreamDecider)).state, data.receiver);
    // A position past the head names no SET yet: acknowledging it would drop a SET before it was ever sent.
    const head = await this.store.headPosition();
    const { positions, errors } = acknowledgements(data, head);
    const max = data.maxEvents ?? DEFAULT_MAX_EVENTS;
    let selection = await this.queue.select(stream, new Set([...positions, ...errors.map((e) => e.position)]), max + 1);
    if (positions.length > 0 || errors.length > 0 || selection.passed >= PREFIX_WRITE_EVENTS) await this.queue.acknowledge(stream, meta, positions, errors, selection.through);
    const deadline = Date.now() + (data.returnImmediately || max === 0 ? 0 : this.config.ssf.longPollMs);
    while (selection.sets.length === 0 && Date.now() < deadline) {
      const before = await this.store.headPosition();
      while (Date.now() < deadline && (await this.store.headPosition()) === before) await sleep(WAIT_STEP_MS);
      const current = ownStream((await this.executor.load(ssfStream(data.streamId), ssfStreamDecider)).state, data.receiver);
      selection = await this.queue.select(current, new Set(), max + 1);
    }
    const sets: Record<string, string> = {};
    for (const claims of selection.sets.slice(0, max)) sets[claims.jti] = this.signer.sign(claims);
    // One more than asked for was selected, to tell whether more are available.
    return { sets, moreAvailable: selection.sets.length > max };
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
