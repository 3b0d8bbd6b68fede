import type { UserState } from '@ledger/domain';

/** What applies to all of a user's consents at once, as the user commands answer it. */
export interface UserResult {
  userId: string;
  /** User-wide revocations so far. */
  revocations: number;
  revokedAt: string | null;
  notBefore: string | null;
  /** Revision of the user's stream (-1: nothing was ever recorded for the user). */
  revision: number;
}

export function userFromState(userId: string, state: UserState, revision: number): UserResult {
  if (state.status === 'none') return { userId, revocations: 0, revokedAt: null, notBefore: null, revision };
  return { userId, revocations: state.revocations, revokedAt: state.revokedAt, notBefore: state.notBefore, revision };
}
