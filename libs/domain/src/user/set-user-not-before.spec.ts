import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { SetUserNotBefore } from './set-user-not-before';
import { UserConsentsRevoked, UserNotBeforeSet } from './user';
import { userDecider } from './user.decider';

const userId = 'alice';
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const set = (notBefore?: string, id = userId): SetUserNotBefore => ({ type: 'SetUserNotBefore', data: { userId: id, ...(notBefore ? { notBefore } : {}) } });
const notBeforeSet = (notBefore: string, setAt = notBefore): UserNotBeforeSet => ({ type: 'UserNotBeforeSet', data: { userId, notBefore, setAt, reason: null } });

describe('SetUserNotBefore', () => {
  const spec = DeciderSpecification.for(userDecider);

  it('records the time given, and when it was set, with the reason', () => {
    spec
      .given([])
      .when(set(at(-600)), { reason: 'password changed' })
      .then([{ type: 'UserNotBeforeSet', data: { userId, notBefore: at(-600), setAt: at(0), reason: 'password changed' } }]);
  });

  it('without a time means now', () => {
    spec.given([]).when(set()).then([notBeforeSet(at(0))]);
  });

  it('refuses a time in the future with not_before_in_future, and a malformed user id', () => {
    spec.given([]).when(set(at(1))).thenThrows('not_before_in_future', 'validation');
    spec.given([]).when(set(undefined, 'al ice')).thenThrows('invalid_user_id');
  });

  it('raises an earlier not-before; the same one again or an earlier one is a no-op', () => {
    spec.given([notBeforeSet(at(-600))]).when(set(at(-300))).then([notBeforeSet(at(-300), at(0))]);
    spec.given([notBeforeSet(at(-600))]).when(set(at(-600))).thenNothing();
    spec.given([notBeforeSet(at(-600))]).when(set(at(-900))).thenNothing();
  });

  it('evolve: a not-before and a user-wide revocation each move their own part of the state', () => {
    const revoked: UserConsentsRevoked = { type: 'UserConsentsRevoked', data: { userId, revocation: 1, consentsEnded: 2, revokedAt: at(-100), reason: null } };
    expect(stateAfter(userDecider, [notBeforeSet(at(-200)), revoked])).toEqual({
      status: 'recorded',
      userId,
      revocations: 1,
      revokedAt: at(-100),
      notBefore: at(-200),
      updatedAt: at(-100),
    });
  });
});
