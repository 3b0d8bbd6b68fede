/**
 * A Shared Signals stream (OpenID SSF 1.0 section 8): one receiver's subscription to the ledger's revocations, with
 * its subjects, its status and what it has acknowledged. Stream: ssf-stream-<streamId> (ssfStream below). Every
 * change is an event, so the configuration is audited and survives a restart, and a SET's place in the log tells
 * which configuration it met (docs/ssf.md).
 */
import type { Assert, SameMembers } from '../shared/event-types';
import { userKey } from '../shared/ids';
import { partsKey, restoreSubject, SsfSubject, StoredSsfSubject, subjectKey, subjectParts } from './ssf-subject';

export type SsfStatus = 'enabled' | 'paused' | 'disabled';
export const SSF_STATUSES: readonly SsfStatus[] = ['enabled', 'paused', 'disabled'];

/** RFC 8936 poll delivery: the receiver asks the transmitter for SETs. */
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';
/** RFC 8935 push delivery: the transmitter POSTs each SET to the receiver's endpoint. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export type SsfDeliveryMethod = typeof POLL_DELIVERY | typeof PUSH_DELIVERY;

export const ssfStream = (streamId: string) => `ssf-stream-${streamId}`;
export const SSF_STREAM_ID_PATTERN = /^ssf_[0-9a-f]{32}$/;

/**
 * Where a push stream's SETs go (RFC 8935). `authorization` is the receiver's authorization_header sealed by the
 * edge (AES-256-GCM under a key of the secrets directory, docs/ssf.md): it must be sent back, so it cannot be
 * hashed, and the log, the audit export and every read carry only the sealed form. The domain never opens it.
 */
export interface PushEndpoint {
  endpointUrl: string;
  authorization: string | null;
}

/**
 * What the receiver chose; events_delivered is the transmitter's answer to events_requested. `push` is there for a
 * push stream only, so a poll stream's events keep the shape they had before push existed.
 */
export interface SsfStreamConfig {
  deliveryMethod: SsfDeliveryMethod;
  eventsRequested: string[];
  eventsDelivered: string[];
  description: string | null;
  push?: PushEndpoint;
}

export interface SsfStreamCreated {
  type: 'SsfStreamCreated';
  data: SsfStreamConfig & { streamId: string; receiver: string; createdAt: string };
}
/** An update (PATCH) or replacement (PUT): the whole configuration after it. */
export interface SsfStreamConfigured {
  type: 'SsfStreamConfigured';
  data: SsfStreamConfig & { streamId: string; updatedAt: string };
}
export interface SsfStreamStatusChanged {
  type: 'SsfStreamStatusChanged';
  data: { streamId: string; status: SsfStatus; reason: string | null; changedAt: string };
}
/**
 * v2 (ssf-event-versions.ts): the subject's user id is the top-level `userId`, so that the store seals it under the
 * user's key (docs/privacy.md), and the stored subject leaves it out; v1 held the subject whole and its key in clear.
 */
export interface SsfSubjectAdded {
  type: 'SsfSubjectAdded';
  data: { streamId: string; userId?: string; subject: StoredSsfSubject; addedAt: string };
}
/**
 * v2: the removed subject's parts (partsKey); the user's id top-level, sealed, and its userKey (the hash the user's
 * stream is named by, ids.ts), so that the removal still finds a subject added by a v1 event, in clear, after the
 * user's erasure has made this event's userId read as the pseudonym. v1 held the key, naming the user.
 */
export interface SsfSubjectRemoved {
  type: 'SsfSubjectRemoved';
  data: { streamId: string; userId?: string; userKey?: string; clientId?: string; removedAt: string };
}
/** The receiver asked for a verification SET; the event's place in the log is where the SET is delivered. */
export interface SsfVerificationRequested {
  type: 'SsfVerificationRequested';
  data: { streamId: string; state: string | null; requestedAt: string };
}
/**
 * RFC 8936 acknowledgements: SETs (named by their log position) the receiver will never get again, with the errors
 * it reported for some (setErrs, which acknowledge too). `through`: every SET of the stream at or before it is
 * acknowledged, so the positions before it need not be kept.
 */
export interface SsfSetsAcknowledged {
  type: 'SsfSetsAcknowledged';
  data: { streamId: string; positions: number[]; errors: SetError[]; through: number; acknowledgedAt: string };
}
export interface SsfStreamDeleted {
  type: 'SsfStreamDeleted';
  data: { streamId: string; deletedAt: string };
}

export interface SetError {
  position: number;
  err: string;
  description: string;
}

export type SsfStreamEvent =
  | SsfStreamCreated
  | SsfStreamConfigured
  | SsfStreamStatusChanged
  | SsfSubjectAdded
  | SsfSubjectRemoved
  | SsfVerificationRequested
  | SsfSetsAcknowledged
  | SsfStreamDeleted;

export const SSF_STREAM_EVENT_TYPES = [
  'SsfStreamCreated',
  'SsfStreamConfigured',
  'SsfStreamStatusChanged',
  'SsfSubjectAdded',
  'SsfSubjectRemoved',
  'SsfVerificationRequested',
  'SsfSetsAcknowledged',
  'SsfStreamDeleted',
] as const;
type _SsfStreamEventTypes = Assert<SameMembers<(typeof SSF_STREAM_EVENT_TYPES)[number], SsfStreamEvent['type']>>;

export interface LiveSsfStream extends SsfStreamConfig {
  status: 'live';
  streamId: string;
  receiver: string;
  streamStatus: SsfStatus;
  statusReason: string | null;
  /** By subjectKey. */
  subjects: Record<string, SsfSubject>;
  /** Every SET at or before this position is acknowledged (-1: none). */
  ackedThrough: number;
  /** Acknowledged positions after ackedThrough, in no particular order. */
  acked: number[];
  /** The last SET error recorded (a push answered 400 with an RFC 8935 err, or a poll's setErrs), for the status. */
  lastError: (SetError & { at: string }) | null;
}

export type SsfStreamState = { status: 'none' } | LiveSsfStream | { status: 'deleted'; streamId: string; receiver: string };

export const initialSsfStreamState = (): SsfStreamState => ({ status: 'none' });

const configOf = (d: SsfStreamConfig): SsfStreamConfig => ({
  deliveryMethod: d.deliveryMethod,
  eventsRequested: [...d.eventsRequested],
  eventsDelivered: [...d.eventsDelivered],
  description: d.description,
  ...(d.push ? { push: { endpointUrl: d.push.endpointUrl, authorization: d.push.authorization } } : {}),
});

function live(state: SsfStreamState, change: (s: LiveSsfStream) => LiveSsfStream): SsfStreamState {
  return state.status === 'live' ? change(state) : state;
}

export function evolveSsfStream(state: SsfStreamState, event: SsfStreamEvent): SsfStreamState {
  switch (event.type) {
    case 'SsfStreamCreated': {
      const d = event.data;
      return { status: 'live', streamId: d.streamId, receiver: d.receiver, ...configOf(d), streamStatus: 'enabled', statusReason: null, subjects: {}, ackedThrough: -1, acked: [], lastError: null };
    }
    case 'SsfStreamConfigured':
      return live(state, ({ push: _was, ...s }) => ({ ...s, ...configOf(event.data) }));
    case 'SsfStreamStatusChanged':
      return live(state, (s) => ({ ...s, streamStatus: event.data.status, statusReason: event.data.reason }));
    case 'SsfSubjectAdded':
      return live(state, (s) => {
        // Keyed as read: an erased subject's pseudonym is its own key, so the user coming back is a new subject.
        const subject = restoreSubject(event.data.subject, event.data.userId);
        return { ...s, subjects: { ...s.subjects, [subjectKey(subject)]: subject } };
      });
    case 'SsfSubjectRemoved':
      return live(state, (s) => {
        const d = event.data;
        const key = partsKey(d.userId ?? null, d.clientId ?? null);
        const sameUser = (userId: string | null) => userId !== null && userKey(userId) === d.userKey;
        const removed = (k: string, subject: SsfSubject) => {
          const parts = subjectParts(subject);
          return k === key || (parts.clientId === (d.clientId ?? null) && sameUser(parts.userId));
        };
        return { ...s, subjects: Object.fromEntries(Object.entries(s.subjects).filter(([k, subject]) => !removed(k, subject))) };
      });
    case 'SsfVerificationRequested':
      return state;
    case 'SsfSetsAcknowledged':
      return live(state, (s) => {
        const through = Math.max(s.ackedThrough, event.data.through);
        const acked = [...new Set([...s.acked, ...event.data.positions, ...event.data.errors.map((e) => e.position)])].filter((p) => p > through);
        const error = event.data.errors.at(-1);
        return { ...s, ackedThrough: through, acked, lastError: error ? { ...error, at: event.data.acknowledgedAt } : s.lastError };
      });
    case 'SsfStreamDeleted':
      return state.status === 'live' ? { status: 'deleted', streamId: state.streamId, receiver: state.receiver } : state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** Whether the SET at this log position was acknowledged (or reported as an error, which acknowledges it). */
export const isAcknowledged = (state: LiveSsfStream, position: number) => position <= state.ackedThrough || state.acked.includes(position);
