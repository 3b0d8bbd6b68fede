import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import { GrantConsent } from './grant-consent';
import { IssueToken } from './issue-token';
import { RevokeConsent } from './revoke-consent';

/**
 * The consent's side of a user-wide revocation (UserConsentsRevoked on the user's stream): a consent records how many
 * the user had when it was granted; one numbered higher ends it. Its fan-out appends the ConsentRevoked later, and a
 * grant or an issue decided before that treats the consent as revoked already.
 */
const USER = 'alice';
const CLIENT = 'transfer-app';
const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;

const granted = (afterUserRevocation?: number, generation = 1, scopes = ['openid']): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(-3600), ...(afterUserRevocation === undefined ? {} : { afterUserRevocation }) },
});
const issued = (name: string, seconds = -600): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: hashToken(name), scopes: ['openid'], issuedAt: at(seconds), expiresAt: at(seconds + 3600) },
});
const fanOut = (userRevocation: number, generation = 1): RevokeConsent => ({ type: 'RevokeConsent', data: { consent: parseConsentId(consentId(generation))!, userRevocation } });
const grant = (userRevocations: number | undefined, scopes = ['openid']): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: CLIENT, scopes },
  context: { client: clientState(), ...(userRevocations === undefined ? {} : { userRevocations }) },
});
const issue = (userRevocations: number, idempotency?: IssueToken['data']['idempotency']): IssueToken => ({
  type: 'IssueToken',
  data: { consent: parseConsentId(consentId(1))!, tokenId: tokenId('new'), tokenHash: hashToken('new'), ...(idempotency ? { idempotency } : {}) },
  context: { client: clientState(), userRevocations },
});
const revokedWithUser = (userRevocation: number, tokensEnded: number, reason: string | null = null): ConsentRevoked => ({
  type: 'ConsentRevoked',
  data: { ...ref(1), revokedScopes: ['openid'], tokensEnded, revokedAt: at(0), reason, userRevocation },
});

describe('A user-wide revocation, on the consent streams', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('RevokeConsent from the fan-out (userRevocation n)', () => {
    it('revokes a consent granted before the n-th revocation in full, saying which one it carries out', () => {
      spec.given([granted(), issued('t1'), issued('t2')]).when(fanOut(1), { reason: 'sign me out' }).then([revokedWithUser(1, 2, 'sign me out')]);
      spec.given([granted(1)]).when(fanOut(2)).then([revokedWithUser(2, 0)]);
    });

    it('is a no-op for a consent granted after it, one already revoked, or an earlier generation: a fan-out run again appends nothing', () => {
      spec.given([granted(1)]).when(fanOut(1)).thenNothing();
      spec.given([granted(2)]).when(fanOut(1)).thenNothing();
      spec.given([granted(), revokedWithUser(1, 0)]).when(fanOut(1)).thenNothing();
      spec.given([granted(), revokedWithUser(1, 0), granted(1, 2)]).when(fanOut(1, 1)).thenNothing();
    });

    it('refuses an unknown consent like any revocation', () => {
      spec.given([]).when(fanOut(1)).thenThrows('consent_not_found', 'not_found');
    });
  });

  describe('GrantConsent', () => {
    it('records the user-wide revocations the consent is granted after; none: the event is as before', () => {
      spec.given([]).when(grant(undefined)).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0) } }]);
      spec.given([]).when(grant(0)).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0) } }]);
      spec.given([]).when(grant(3)).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0), afterUserRevocation: 3 } }]);
    });

    it('on a consent the user revoked with all others and the fan-out has not reached: revokes it, then starts a new consent with only the scopes asked', () => {
      const events: ConsentEvent[] = spec.given([granted(undefined, 1, ['email', 'openid']), issued('t1')]).when(grant(1, ['email'])).events();
      expect(events).toEqual([
        { type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['email', 'openid'], tokensEnded: 1, revokedAt: at(0), reason: null, userRevocation: 1 } },
        { type: 'ConsentGranted', data: { ...ref(2), scopes: ['email'], grantedAt: at(0), afterUserRevocation: 1 } },
      ]);
      // The fan-out, arriving later for the first consent, then finds nothing to do.
      spec.given([granted(undefined, 1, ['email', 'openid']), ...events]).when(fanOut(1)).thenNothing();
    });

    it('starts that new consent with the dependency trees the grant names, none of the revoked one', () => {
      const collection = (scope: string, optional: boolean) => ({ scope, optional, dependencies: [] });
      const withTree: ConsentGranted = {
        type: 'ConsentGranted',
        data: { ...ref(1), scopes: ['transfer'], dependencies: [{ scope: 'transfer', optional: false, dependencies: [collection('collection-a', false)] }], grantedAt: at(-3600) },
      };
      const [, regranted] = spec.given([withTree]).when(grant(1, ['transfer[*collection-b]'])).events();
      expect(regranted).toEqual({
        type: 'ConsentGranted',
        data: { ...ref(2), scopes: ['transfer'], dependencies: [{ scope: 'transfer', optional: false, dependencies: [collection('collection-b', true)] }], grantedAt: at(0), afterUserRevocation: 1 },
      });
    });

    it('extends a consent granted after the last user-wide revocation, as usual', () => {
      const [event] = spec.given([granted(1)]).when(grant(1, ['email'])).events();
      expect(event.type).toBe('ConsentScopesExtended');
    });
  });

  describe('IssueToken', () => {
    it('refuses a consent the user revoked with all others before the fan-out reached it (consent_not_active)', () => {
      const error = spec.given([granted()]).when(issue(1)).thenThrows('consent_not_active', 'conflict');
      expect(error.message).toBe(`Consent ${consentId(1)} has been revoked with every consent of its user`);
      spec.given([granted(1)]).when(issue(2)).thenThrows('consent_not_active');
    });

    it('issues under a consent granted after the last one', () => {
      const [event] = spec.given([granted(1)]).when(issue(1)).events();
      expect(event).toMatchObject({ type: 'TokenIssued', data: { tokenId: tokenId('new') } });
    });

    it('answers a retry under an Idempotency-Key whose consent the user revoked since with token_no_longer_active', () => {
      const idempotency = { keyHash: hashToken('k'), fingerprint: hashToken('f'), nonce: 'a'.repeat(32), windowSeconds: 86_400 };
      const [first] = spec.given([granted()]).when(issue(0, idempotency)).events();
      spec.given([granted(), first]).when(issue(0, idempotency)).thenNothing();
      spec.given([granted(), first]).when(issue(1, idempotency)).thenThrows('token_no_longer_active', 'conflict');
    });
  });
});
