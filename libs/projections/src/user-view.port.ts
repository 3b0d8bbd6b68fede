import type { UserRow } from './ledger-views';

/** The user view as its readers see it; injected by USER_VIEW. Undefined: nothing user-wide was ever recorded. */
export interface UserView {
  user(userId: string): UserRow | undefined;
}
