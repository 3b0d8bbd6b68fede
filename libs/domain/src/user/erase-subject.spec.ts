import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { userKey } from '../shared/ids';
import { EraseSubject } from './erase-subject';
import { SubjectErased, UserNotBeforeSet } from './user';
import { userDecider } from './user.decider';

const userId = 'alice@example.org';
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const erase = (kid: string | null, activeConsents = 0, id = userId): EraseSubject => ({ type: 'EraseSubject', data: { userId: id, kid, activeConsents } });
const erased = (kid: string, erasedAt = at(0)): SubjectErased => ({ type: 'SubjectErased', data: { userId, subject: userKey(userId), kid, erasedAt } });

describe('EraseSubject', () => {
  const spec = DeciderSpecification.for(userDecider);

  it('given a subject with a key and no active consent, then it records the erasure of that key, with no reason or other data', () => {
    spec.given([]).when(erase('k1'), { reason: 'GDPR art. 17 request' }).then([erased('k1')]);
  });

  it('given the erasure of that key, when asked again (with the key gone, or still there after a crash), then nothing is appended', () => {
    spec.given([erased('k1', at(-60))]).when(erase(null)).thenNothing();
    spec.given([erased('k1', at(-60))]).when(erase('k1')).thenNothing();
  });

  it('given an erased subject that came back with a new key, then the new key is erased too', () => {
    spec.given([erased('k1', at(-60))]).when(erase('k2')).then([erased('k2')]);
  });

  it('given a subject the ledger holds nothing of, then it is refused as unknown', () => {
    expect(spec.given([]).when(erase(null)).thenThrows('subject_unknown', 'not_found').message).toBe('The ledger holds no personal data of this subject');
  });

  it('given active consents, then it is refused until they are revoked', () => {
    const error = spec.given([]).when(erase('k1', 2)).thenThrows('subject_has_active_consents', 'conflict');
    expect(error.details).toEqual({ activeConsents: 2 });
    expect(error.message).toBe('The subject has 2 active consent(s); revoke them first (POST /v1/users/{userId}/revoke)');
    spec.given([]).when(erase('k1', 1)).thenThrows('subject_has_active_consents');
  });

  it('refuses a malformed user id', () => {
    expect(spec.given([]).when(erase('k1', 0, 'al ice')).thenThrows('invalid_user_id', 'validation').message).toContain('userId must be');
    spec.given([]).when(erase('k1', 0, 42 as unknown as string)).thenThrows('invalid_user_id');
  });

  it('evolve: the erasure is kept with the rest of the user state', () => {
    const nb: UserNotBeforeSet = { type: 'UserNotBeforeSet', data: { userId, notBefore: at(-200), setAt: at(-200), reason: null } };
    expect(stateAfter(userDecider, [nb, erased('k1', at(-100))])).toEqual({
      status: 'recorded',
      userId,
      revocations: 0,
      revokedAt: null,
      notBefore: at(-200),
      updatedAt: at(-100),
      erasure: { kid: 'k1', erasedAt: at(-100) },
    });
    expect(stateAfter(userDecider, [erased('k1', at(-100))])).toMatchObject({ status: 'recorded', userId, revocations: 0, erasure: { kid: 'k1' } });
  });
});
