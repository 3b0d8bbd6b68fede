/**
 * Versions and upcasters of the Shared Signals streams' events, which are no ledger event (EVENT_VERSIONS): their own
 * executor, the SET queue and the SET selection read them, never the views. Same rules as the ledger's
 * (upcasting/event-versions.ts): the version travels in the metadata, an event stored without one is v1, an upcaster
 * is pure and runs on every read, never to rewrite a stored event.
 */
import { unavailable } from '../shared/domain-error';
import { userKey } from '../shared/ids';
import type { StoredShape } from '../upcasting/upcast';
import { upcast } from '../upcasting/upcast';
import type { Upcaster } from '../upcasting/upcasters';
import type { SsfStreamEvent } from './ssf-stream';
import { SsfSubject, storeSubject } from './ssf-subject';

/**
 * v2 of the subject events: the subject's user id is the event's top-level `userId`, which the store seals under the
 * user's key (docs/privacy.md), so that an erasure leaves no stream naming the user in clear. v1 (before it) stored
 * the subject whole and a key spelling the user id.
 */
export const SSF_EVENT_VERSIONS: Readonly<Record<SsfStreamEvent['type'], number>> = Object.freeze({
  SsfStreamCreated: 1,
  SsfStreamConfigured: 1,
  SsfStreamStatusChanged: 1,
  SsfSubjectAdded: 2,
  SsfSubjectRemoved: 2,
  SsfVerificationRequested: 1,
  SsfSetsAcknowledged: 1,
  SsfStreamDeleted: 1,
});

/** v1 → v2: the subject split as v2 stores it; the v1 key, derived from the subject, is dropped (v2 folds it). */
const subjectAddedSplit: Upcaster = ({ key: _key, subject, ...rest }) => ({ ...rest, ...storeSubject(subject as SsfSubject) });

/** v1 → v2: the parts the v1 key spelled (ssf-subject.ts partsKey: `u:<user>`, NUL, `c:<client>`, either empty). */
const subjectRemovedParts: Upcaster = ({ key, ...rest }) => {
  const [user, client] = String(key).split('\u0000');
  const userId = user.startsWith('u:') ? user.slice(2) : undefined;
  return { ...rest, ...(userId !== undefined ? { userId, userKey: userKey(userId) } : {}), ...(client?.startsWith('c:') ? { clientId: client.slice(2) } : {}) };
};

export const SSF_UPCASTERS: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = Object.freeze({
  SsfSubjectAdded: { 1: subjectAddedSplit },
  SsfSubjectRemoved: { 1: subjectRemovedParts },
});

/**
 * A stored event of an SSF stream as the current version of its type. One this build cannot read (a newer build's)
 * refuses whatever read it with 503 event_unreadable, as the ledger's events do: folding on without it could deliver
 * or drop SETs by a subject list the stream no longer has.
 */
export function readSsfStreamEvent(event: StoredShape & { position?: number }): SsfStreamEvent {
  const result = upcast(event, SSF_EVENT_VERSIONS, SSF_UPCASTERS);
  if (result.readable) return result.event as unknown as SsfStreamEvent;
  throw unavailable('event_unreadable', `This instance cannot read an event of this stream (position ${event.position}, ${event.type}: ${result.reason}); it needs an upgrade`);
}
