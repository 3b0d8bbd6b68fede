import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid, notFound } from '../shared/domain-error';
import { USER_ID_PATTERN, userKey } from '../shared/ids';
import { UserEvent, UserState } from './user';

/**
 * Erase a subject's personal data by destroying its key (docs/privacy.md). The facts the decision needs from outside
 * the user's stream come in the command, read by the handler: the subject's live key, and its consents in the views.
 */
export interface EraseSubject {
  type: 'EraseSubject';
  data: {
    userId: string;
    /** The subject's live key in the key store; null when it has none (never sealed anything, or already erased). */
    kid: string | null;
    /** Consents of the user still active: an erasure never ends a consent silently (revoke them first). */
    activeConsents: number;
  };
}

/**
 * Idempotent: the erasure of a key already erased (or of no key, after an erasure) appends nothing. A subject with no
 * key and no erasure is unknown here. A subject with active consents is refused: the revocation that ends them is a
 * fact the ledger must record as such, with its reason, before the data that names the subject is made unreadable.
 */
export function eraseSubject(command: EraseSubject, state: UserState, meta: CommandMetadata): UserEvent[] {
  const { userId, kid, activeConsents } = command.data;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw invalid('invalid_user_id', 'userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
  const erasure = state.status === 'recorded' ? state.erasure : undefined;
  if (erasure && (kid === null || kid === erasure.kid)) return [];
  if (kid === null) throw notFound('subject_unknown', 'The ledger holds no personal data of this subject');
  if (activeConsents > 0) {
    throw conflict('subject_has_active_consents', `The subject has ${activeConsents} active consent(s); revoke them first (POST /v1/users/{userId}/revoke)`, { activeConsents });
  }
  return [{ type: 'SubjectErased', data: { userId, subject: userKey(userId), kid, erasedAt: meta.now.toISOString() } }];
}
