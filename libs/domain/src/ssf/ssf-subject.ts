/**
 * Subjects of a Shared Signals stream (SSF 1.0 section 3; RFC 9493). A receiver names a user by the `opaque` format,
 * never by `email`: an address is personal data that a third party should not need. SSF's `complex` format names a
 * user of one client (the `application` member, whose `opaque` id is the client id), or a client alone.
 */
import { CLIENT_ID_PATTERN, USER_ID_PATTERN } from '../shared/ids';
import { isErasedUserId } from '../privacy/personal-data';
import { DomainError, invalid } from '../shared/domain-error';

export interface OpaqueId {
  format: 'opaque';
  id: string;
}

/** A user (any client of the stream's entitlement), a user of one client, or one client's every user. */
export type SsfSubject = OpaqueId | { format: 'complex'; user: OpaqueId; application?: OpaqueId } | { format: 'complex'; application: OpaqueId };

/** Which clients a receiver may hear about: a list, or every client of the ledger ('*'). */
export type Entitlement = readonly string[] | '*';

export const entitles = (entitlement: Entitlement, clientId: string) => entitlement === '*' || entitlement.includes(clientId);

const badSubject = (detail: string) => invalid('invalid_subject', `The subject is malformed: ${detail}`);

function opaque(value: unknown, where: string, pattern: RegExp): OpaqueId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badSubject(`${where} must be an object`);
  const { format, id, ...rest } = value as Record<string, unknown>;
  if (format !== 'opaque') throw badSubject(`${where}.format must be "opaque" (RFC 9493): no email, phone or other personal data`);
  if (typeof id !== 'string' || !pattern.test(id)) throw badSubject(`${where}.id must be a ledger id`);
  if (Object.keys(rest).length > 0) throw badSubject(`${where} has unknown members: ${Object.keys(rest).join(', ')}`);
  return { format, id };
}

/** Parses a subject as a receiver sent it; throws invalid_subject (400) naming what is wrong. */
export function parseSubject(value: unknown): SsfSubject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badSubject('subject must be an object');
  const v = value as Record<string, unknown>;
  if (v.format === 'opaque') return opaque(v, 'subject', USER_ID_PATTERN);
  if (v.format !== 'complex') throw badSubject('subject.format must be "opaque" or "complex"');
  const { format: _format, user, application, ...rest } = v;
  if (Object.keys(rest).length > 0) throw badSubject(`subject has unknown members: ${Object.keys(rest).join(', ')}`);
  const app = application === undefined ? undefined : opaque(application, 'subject.application', CLIENT_ID_PATTERN);
  if (user === undefined) {
    if (!app) throw badSubject('a complex subject names a user, an application, or both');
    return { format: 'complex', application: app };
  }
  const u = opaque(user, 'subject.user', USER_ID_PATTERN);
  return app ? { format: 'complex', user: u, application: app } : { format: 'complex', user: u };
}

/** The user and client a subject names (null: any). */
export function subjectParts(subject: SsfSubject): { userId: string | null; clientId: string | null } {
  if (subject.format === 'opaque') return { userId: subject.id, clientId: null };
  return { userId: 'user' in subject ? subject.user.id : null, clientId: subject.application?.id ?? null };
}

/** One spelling per (user, client), so that adding a subject twice is one subject and removing it finds it. */
export const partsKey = (userId: string | null, clientId: string | null) => `${userId === null ? '' : `u:${userId}`}\u0000${clientId === null ? '' : `c:${clientId}`}`;

/** One spelling per subject (partsKey of its parts): an opaque user and a complex one without client are one. */
export function subjectKey(subject: SsfSubject): string {
  const { userId, clientId } = subjectParts(subject);
  return partsKey(userId, clientId);
}

/**
 * A subject as the log stores it: without the user's id, which the event carries as its top-level `userId` so that
 * it is sealed under the user's key like every personal field (docs/privacy.md). The shape says where the id goes.
 */
export type StoredSsfSubject =
  | { format: 'opaque' }
  | { format: 'complex'; user: { format: 'opaque' }; application?: OpaqueId }
  | { format: 'complex'; application: OpaqueId };

/** The subject split for storing: its user's id apart (absent for a client's subject), the rest as it was. */
export function storeSubject(subject: SsfSubject): { userId?: string; subject: StoredSsfSubject } {
  if (subject.format === 'opaque') return { userId: subject.id, subject: { format: 'opaque' } };
  if (!('user' in subject)) return { subject: { format: 'complex', application: { ...subject.application } } };
  const stored: StoredSsfSubject = { format: 'complex', user: { format: 'opaque' } };
  return { userId: subject.user.id, subject: subject.application ? { ...stored, application: { ...subject.application } } : stored };
}

/**
 * The subject rebuilt from its stored form and the event's `userId` as read: the user id, or the pseudonym of an
 * erased subject (which then matches no revocation of a user, as no user has that id).
 */
export function restoreSubject(stored: StoredSsfSubject, userId: string | undefined): SsfSubject {
  const user: OpaqueId = { format: 'opaque', id: userId ?? '' };
  if (stored.format === 'opaque') return user;
  if (!('user' in stored)) return { format: 'complex', application: { ...stored.application } };
  return stored.application ? { format: 'complex', user, application: { ...stored.application } } : { format: 'complex', user };
}

/** A subject naming a client outside the receiver's entitlement is not the receiver's to follow. */
export function assertEntitled(subject: SsfSubject, entitlement: Entitlement): void {
  const { clientId } = subjectParts(subject);
  if (clientId !== null && !entitles(entitlement, clientId)) {
    throw new DomainError('subject_not_entitled', 'forbidden', 'This receiver is not entitled to the client the subject names');
  }
}

/**
 * Whether a revocation about (userId, clientId) concerns a subject: null on the event's side means it covers every
 * user (a client's revocation) or every client (a user's). The ledger-wide not-before (both null) concerns all. A
 * client's subject hears of a user only through that client: a user-wide revocation (no client) is about the user's
 * other clients too, which are not the receiver's business. An erased user's subject (its id reads as the pseudonym)
 * concerns nothing: the receiver never named the pseudonym, and a SET naming it would tell the receiver nothing.
 */
export function subjectCovers(subject: SsfSubject, userId: string | null, clientId: string | null): boolean {
  const s = subjectParts(subject);
  if (isErasedUserId(s.userId)) return false;
  const userMatches = userId === null || (s.userId === null ? clientId !== null : s.userId === userId);
  const clientMatches = s.clientId === null || clientId === null || s.clientId === clientId;
  return userMatches && clientMatches;
}
