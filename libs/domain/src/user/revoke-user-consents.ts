import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { USER_ID_PATTERN } from '../shared/ids';
import { UserEvent, UserState, userRevocationsOf } from './user';

export interface RevokeUserConsents {
  type: 'RevokeUserConsents';
  data: { userId: string };
  /**
   * The user's active consents as the views hold them, read by the handler once they have caught up with the store:
   * the consents live on other streams, so this is a read, not a lock. A consent granted concurrently is ended
   * anyway if it was granted on the user's state before this revocation (the token view and the fan-out compare
   * revocation numbers, not positions).
   */
  context: { activeConsents: ReadonlyArray<{ consentId: string; afterUserRevocation: number }> };
}

/**
 * ONE event, whatever the number of consents and tokens ("sign me out of every app", account deletion): the token
 * view ends every token of the user's consents granted before it at lookup, and a process reading the log then
 * appends a ConsentRevoked to each consent stream. Idempotent: when no active consent was granted since the user's
 * last such revocation, everything it would end has ended, and nothing is appended.
 */
export function revokeUserConsents(command: RevokeUserConsents, state: UserState, meta: CommandMetadata): UserEvent[] {
  const { userId } = command.data;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw invalid('invalid_user_id', 'userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
  const revocations = userRevocationsOf(state);
  // Consents granted after an earlier revocation of the user; the others that still show active await its fan-out.
  const open = command.context.activeConsents.filter((c) => c.afterUserRevocation >= revocations).length;
  if (open === 0) return [];
  return [{ type: 'UserConsentsRevoked', data: { userId, revocation: revocations + 1, consentsEnded: open, revokedAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
