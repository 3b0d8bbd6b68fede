import type { StoredEvent } from '@ledger/event-store';
import { Entitlement, entitles, evolveSsfStream, initialSsfStreamState, isAcknowledged, LiveSsfStream, readSsfStreamEvent, SsfStreamState, ssfStream, subjectCovers } from '@ledger/domain';
import { revocationSet, SetClaims, streamSet } from './security-event';

export interface Selection {
  /** Unacknowledged SETs, oldest first, at most `max`. */
  sets: SetClaims[];
  /**
   * The last position scanned before the first unacknowledged SET: every SET of the stream up to it is
   * acknowledged (the ones just acknowledged included), so the next scan can start after it.
   */
  through: number;
  /** How many events of the log the scan passed before the first SET still owed: what `through` saves the next scan. */
  passed: number;
}

export interface SelectionInput {
  issuer: string;
  audience: string;
  entitlement: Entitlement;
  /** The stream's own events, in order (readStream). */
  history: readonly StoredEvent[];
  /** The log after the stream's acknowledged prefix, in order: revocations and the stream's own events. */
  log: AsyncIterable<StoredEvent>;
  /** Positions acknowledged by the poll being answered, not yet in the history. */
  acknowledging: ReadonlySet<number>;
  max: number;
}

/**
 * What a poll of the stream gets (RFC 8936), found by reading the log: each revocation as the stream was at that
 * place in the log (its subjects, events_delivered, and status: a disabled stream drops what happens meanwhile, a
 * paused one keeps it), filtered by the receiver's entitlement as configured now, minus what was acknowledged.
 * The caller answers nothing at all while the stream is not enabled now (paused holds, disabled delivers nothing).
 */
export async function selectSets(input: SelectionInput): Promise<Selection> {
  const { history } = input;
  const current = history.reduce<SsfStreamState>((s, e) => evolveSsfStream(s, readSsfStreamEvent(e)), initialSsfStreamState()) as LiveSsfStream;
  const acknowledged = (p: number) => isAcknowledged(current, p) || input.acknowledging.has(p);
  let state: SsfStreamState = initialSsfStreamState();
  let next = 0;
  const sets: SetClaims[] = [];
  let through = current.ackedThrough;
  let passed = 0;
  let blocked = false;
  for await (const event of input.log) {
    // The stream as it was at this place in the log.
    while (next < history.length && history[next].position <= event.position) state = evolveSsfStream(state, readSsfStreamEvent(history[next++]));
    if (state.status !== 'live') continue;
    const claims = setFor(event, state, input);
    if (claims && !acknowledged(event.position)) {
      blocked = true;
      sets.push(claims);
      if (sets.length >= input.max) break;
    } else if (!blocked) {
      through = event.position;
      passed += 1;
    }
  }
  return { sets, through, passed };
}

function setFor(event: StoredEvent, stream: LiveSsfStream, input: SelectionInput): SetClaims | undefined {
  const ctx = { issuer: input.issuer, audience: input.audience, stream };
  if (event.stream === ssfStream(stream.streamId)) return streamSet(event, ctx);
  if (stream.streamStatus === 'disabled') return undefined;
  const set = revocationSet(event, ctx);
  if (!set || !stream.eventsDelivered.includes(set.eventType)) return undefined;
  if (set.clientId !== null && !entitles(input.entitlement, set.clientId)) return undefined;
  const subjects = Object.values(stream.subjects);
  return subjects.some((s) => subjectCovers(s, set.userId, set.clientId)) ? set.claims : undefined;
}
