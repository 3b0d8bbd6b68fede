import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { USER_ID_PATTERN } from '../shared/ids';
import { notBeforeToSet } from '../shared/not-before';
import { UserEvent, UserState } from './user';

export interface SetUserNotBefore {
  type: 'SetUserNotBefore';
  /** notBefore absent: now. */
  data: { userId: string; notBefore?: string };
}

/** Ends every token of the user issued before it, of every client; consents stay (see not-before.ts). */
export function setUserNotBefore(command: SetUserNotBefore, state: UserState, meta: CommandMetadata): UserEvent[] {
  const { userId } = command.data;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw invalid('invalid_user_id', 'userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
  const notBefore = notBeforeToSet(command.data.notBefore, state.status === 'recorded' ? state.notBefore : null, meta.now);
  if (notBefore === undefined) return [];
  return [{ type: 'UserNotBeforeSet', data: { userId, notBefore, setAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
