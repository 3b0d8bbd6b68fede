import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { RevokeUserConsents } from './revoke-user-consents';
import { UserConsentsRevoked, UserNotBeforeSet } from './user';
import { userDecider } from './user.decider';

const userId = 'alice@example.org';
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const revoke = (activeConsents: RevokeUserConsents['context']['activeConsents'], id = userId): RevokeUserConsents => ({
  type: 'RevokeUserConsents',
  data: { userId: id },
  context: { activeConsents },
});
const consent = (n: number, afterUserRevocation = 0) => ({ consentId: `cns_${'a'.repeat(32)}_${n}`, afterUserRevocation });
const revoked = (revocation: number, seconds = -60, consentsEnded = 1): UserConsentsRevoked => ({
  type: 'UserConsentsRevoked',
  data: { userId, revocation, consentsEnded, revokedAt: at(seconds), reason: null },
});

describe('RevokeUserConsents', () => {
  const spec = DeciderSpecification.for(userDecider);

  it('is ONE UserConsentsRevoked, numbered 1, counting the active consents, with the reason from the metadata', () => {
    spec
      .given([])
      .when(revoke([consent(1), consent(2), consent(3)]), { reason: 'account deleted' })
      .then([{ type: 'UserConsentsRevoked', data: { userId, revocation: 1, consentsEnded: 3, revokedAt: at(0), reason: 'account deleted' } }]);
  });

  it('numbers each revocation after the last, whatever else the user stream holds', () => {
    const notBefore: UserNotBeforeSet = { type: 'UserNotBeforeSet', data: { userId, notBefore: at(-30), setAt: at(-30), reason: null } };
    const [event] = spec.given([revoked(1, -120), notBefore, revoked(2)]).when(revoke([consent(4, 2)])).events();
    expect(event).toMatchObject({ type: 'UserConsentsRevoked', data: { revocation: 3, consentsEnded: 1 } });
  });

  it('is a no-op when no active consent was granted since the last one (a retry; the rest await its fan-out)', () => {
    spec.given([revoked(1)]).when(revoke([consent(1, 0), consent(2, 0)])).thenNothing();
    spec.given([revoked(1), revoked(2)]).when(revoke([consent(1, 1)])).thenNothing();
  });

  it('counts only the consents granted since the last one', () => {
    const [event] = spec.given([revoked(1)]).when(revoke([consent(1, 0), consent(2, 1), consent(3, 1)])).events();
    expect(event.data).toMatchObject({ revocation: 2, consentsEnded: 2 });
  });

  it('is a no-op for a user without active consents: there is nothing to end', () => {
    spec.given([]).when(revoke([])).thenNothing();
  });

  it('refuses a malformed user id with invalid_user_id', () => {
    spec.given([]).when(revoke([consent(1)], ' alice')).thenThrows('invalid_user_id', 'validation');
  });
});
