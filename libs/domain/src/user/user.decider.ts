import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { EraseSubject, eraseSubject } from './erase-subject';
import { RevokeUserConsents, revokeUserConsents } from './revoke-user-consents';
import { SetUserNotBefore, setUserNotBefore } from './set-user-not-before';
import { evolveUser, initialUserState, UserEvent, UserState } from './user';

export type UserCommand = RevokeUserConsents | SetUserNotBefore | EraseSubject;

export function decideUser(command: UserCommand, state: UserState, meta: CommandMetadata): UserEvent[] {
  switch (command.type) {
    case 'RevokeUserConsents':
      return revokeUserConsents(command, state, meta);
    case 'SetUserNotBefore':
      return setUserNotBefore(command, state, meta);
    case 'EraseSubject':
      return eraseSubject(command, state, meta);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown user command ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
