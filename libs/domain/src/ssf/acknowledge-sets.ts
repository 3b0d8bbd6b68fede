import { CommandMetadata } from '../shared/command-metadata';
import { ownStream } from './manage-ssf-stream';
import { isAcknowledged, SetError, SsfStreamEvent, SsfStreamState } from './ssf-stream';

/**
 * RFC 8936 section 2.4: the SETs a poll acknowledged (`ack`) or reported errors for (`setErrs`), by log position.
 * `through`: the poller's finding that every SET of the stream up to it is now acknowledged (it read the log to
 * know; the decider cannot), which only moves forwards, so a stale finding from a concurrent poll is harmless.
 */
export interface AcknowledgeSets {
  type: 'AcknowledgeSets';
  data: { streamId: string; receiver: string; positions: number[]; errors: SetError[]; through: number };
}

/** Positions already acknowledged change nothing: a receiver that acks again (it lost our answer) appends nothing. */
export function acknowledgeSets(command: AcknowledgeSets, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  const errors = command.data.errors.filter((e) => !isAcknowledged(stream, e.position));
  const erred = new Set(errors.map((e) => e.position));
  const positions = [...new Set(command.data.positions)].filter((p) => !isAcknowledged(stream, p) && !erred.has(p)).sort((a, b) => a - b);
  const through = Math.max(stream.ackedThrough, command.data.through);
  if (positions.length === 0 && errors.length === 0 && through === stream.ackedThrough) return [];
  return [{ type: 'SsfSetsAcknowledged', data: { streamId: stream.streamId, positions, errors, through, acknowledgedAt: meta.now.toISOString() } }];
}
