import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, consentExpired, ConsentGranted, ConsentScopesExtended, isTokenLive, liveTokens, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import { CONSENT_LIFETIME_CEILING_S, expiredAt, requestedExpiry } from './consent-expiry';
import { GrantConsent } from './grant-consent';
import { IssueToken } from './issue-token';

const USER = 'alice';
const CLIENT = 'transfer-app';
const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const client = clientState(['openid', 'email']);

const grant = (expiry: { expiresAt?: string; expiresIn?: number } = {}, maxLifetimeSeconds?: number, scopes = ['openid']): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: CLIENT, scopes, ...expiry },
  context: { client, ...(maxLifetimeSeconds === undefined ? {} : { maxLifetimeSeconds }) },
});
const granted = (expiresAt?: string, generation = 1): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes: ['openid'], grantedAt: at(-7200), ...(expiresAt ? { expiresAt } : {}) },
});
const renewed = (expiresAt: string): ConsentScopesExtended => ({
  type: 'ConsentScopesExtended',
  data: { ...ref(1), addedScopes: [], scopes: ['openid'], extendedAt: at(-60), expiresAt },
});
const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const issued = (name: string, expiresAt: string): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: hashToken(name), scopes: ['openid'], issuedAt: at(-600), expiresAt },
});
const issue = (name: string, expiresIn?: number): IssueToken => ({
  type: 'IssueToken',
  data: { consent: parseConsentId(consentId())!, tokenId: tokenId(name), tokenHash: hashToken(name), ...(expiresIn ? { expiresIn } : {}) },
  context: { client },
});

describe('consent expiry', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('requestedExpiry', () => {
    it('nothing asked, no maximum: no expiry, and says it was not asked', () => {
      expect(requestedExpiry({}, FIXED_NOW, undefined)).toEqual({ defaulted: true });
    });

    it('nothing asked, with a maximum: the maximum from now, as a default', () => {
      expect(requestedExpiry({}, FIXED_NOW, 3600)).toEqual({ expiresAt: at(3600), defaulted: true });
    });

    it('expiresIn: that many seconds from now, up to the maximum itself', () => {
      expect(requestedExpiry({ expiresIn: 1 }, FIXED_NOW, undefined)).toEqual({ expiresAt: at(1), defaulted: false });
      expect(requestedExpiry({ expiresIn: 3600 }, FIXED_NOW, 3600)).toEqual({ expiresAt: at(3600), defaulted: false });
    });

    it('expiresAt: normalised to an ISO instant, up to the maximum itself', () => {
      expect(requestedExpiry({ expiresAt: '2025-03-01T13:00:00+00:00' }, FIXED_NOW, 3600)).toEqual({ expiresAt: at(3600), defaulted: false });
      expect(requestedExpiry({ expiresAt: at(0.001) }, FIXED_NOW, undefined)).toEqual({ expiresAt: at(0.001), defaulted: false });
    });

    it('refuses a lifetime or an instant past the maximum: consent_expiry_too_long, naming the maximum', () => {
      const e = () => requestedExpiry({ expiresIn: 3601 }, FIXED_NOW, 3600);
      expect(e).toThrow(expect.objectContaining({ code: 'consent_expiry_too_long', category: 'validation', details: { maxLifetimeSeconds: 3600 } }));
      expect(e).toThrow('A consent may last at most 3600 seconds: until 2025-03-01T13:00:00.000Z');
      expect(() => requestedExpiry({ expiresAt: '2025-03-01T13:00:00.001Z' }, FIXED_NOW, 3600)).toThrow(expect.objectContaining({ code: 'consent_expiry_too_long' }));
    });

    it('without a maximum, a hundred years is the ceiling', () => {
      expect(requestedExpiry({ expiresIn: CONSENT_LIFETIME_CEILING_S }, FIXED_NOW, undefined).expiresAt).toBe(at(CONSENT_LIFETIME_CEILING_S));
      expect(() => requestedExpiry({ expiresIn: CONSENT_LIFETIME_CEILING_S + 1 }, FIXED_NOW, undefined)).toThrow(
        expect.objectContaining({ code: 'consent_expiry_too_long', details: { maxLifetimeSeconds: CONSENT_LIFETIME_CEILING_S } }),
      );
      expect(CONSENT_LIFETIME_CEILING_S).toBe(3_153_600_000);
    });

    it('refuses an instant at or before now: consent_expiry_in_past, naming it', () => {
      for (const expiresAt of [at(0), at(-1), '2000-01-01T00:00:00Z']) {
        expect(() => requestedExpiry({ expiresAt }, FIXED_NOW, undefined)).toThrow(expect.objectContaining({ code: 'consent_expiry_in_past', category: 'validation' }));
      }
      expect(() => requestedExpiry({ expiresAt: at(0) }, FIXED_NOW, undefined)).toThrow(
        'expiresAt 2025-03-01T12:00:00.000Z is not after now (2025-03-01T12:00:00.000Z)',
      );
      expect(() => requestedExpiry({ expiresAt: at(-1) }, FIXED_NOW, undefined)).toThrow(expect.objectContaining({ details: { expiresAt: at(-1) } }));
    });

    it('refuses malformed input: invalid_consent_expiry, with what was wrong', () => {
      const refused = (request: object, message: string) =>
        expect(() => requestedExpiry(request, FIXED_NOW, undefined)).toThrow(expect.objectContaining({ code: 'invalid_consent_expiry', category: 'validation', message }));
      refused({ expiresAt: at(60), expiresIn: 60 }, 'Give expiresAt or expiresIn, not both');
      for (const expiresIn of [0, -1, 1.5, '60', NaN]) refused({ expiresIn }, 'expiresIn must be a whole number of seconds, at least 1');
      // 2030 is a year to Date.parse, were it given the number; the rule is a string.
      for (const expiresAt of ['tomorrow', '', 1_900_000_000_000, 2030, null]) refused({ expiresAt }, 'expiresAt must be an RFC 3339 date-time');
    });
  });

  it('expiredAt: from the expiry instant on, never for none', () => {
    expect(expiredAt(null, FIXED_NOW)).toBe(false);
    expect(expiredAt(at(0.001), FIXED_NOW)).toBe(false);
    expect(expiredAt(at(0), FIXED_NOW)).toBe(true);
    expect(expiredAt(at(-1), FIXED_NOW)).toBe(true);
  });

  describe('GrantConsent', () => {
    it('records the expiry asked for on the new consent', () => {
      spec.given([]).when(grant({ expiresIn: 600 })).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0), expiresAt: at(600) } }]);
    });

    it('records the configured maximum when none is asked for, and no field at all without one', () => {
      spec.given([]).when(grant({}, 60)).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0), expiresAt: at(60) } }]);
      spec.given([]).when(grant()).then([{ type: 'ConsentGranted', data: { ...ref(1), scopes: ['openid'], grantedAt: at(0) } }]);
      // Absent, not undefined: events of grants without expiry keep the shape they always had.
      expect(Object.keys(spec.given([]).when(grant()).events()[0].data)).not.toContain('expiresAt');
    });

    it('bad input appends nothing: the refusal is the decider’s, whatever the edge let through', () => {
      spec.given([]).when(grant({ expiresAt: at(-5) })).thenThrows('consent_expiry_in_past');
      spec.given([granted()]).when(grant({ expiresIn: 61 }, 60)).thenThrows('consent_expiry_too_long');
      spec.given([granted()]).when(grant({ expiresIn: 0 })).thenThrows('invalid_consent_expiry');
    });

    it('renews an active consent to the expiry asked for, earlier or later, with the scopes unchanged', () => {
      for (const expiresIn of [30, 9000]) {
        spec
          .given([granted(at(3600))])
          .when(grant({ expiresIn }))
          .then([{ type: 'ConsentScopesExtended', data: { ...ref(1), addedScopes: [], scopes: ['openid'], extendedAt: at(0), expiresAt: at(expiresIn) } }]);
      }
      spec
        .given([granted()])
        .when(grant({ expiresIn: 30 }))
        .then([{ type: 'ConsentScopesExtended', data: { ...ref(1), addedScopes: [], scopes: ['openid'], extendedAt: at(0), expiresAt: at(30) } }]);
    });

    it('an extension that names no expiry keeps the consent’s, even when the maximum would default one', () => {
      spec
        .given([granted(at(3600))])
        .when(grant({}, 60, ['openid', 'email']))
        .then([{ type: 'ConsentScopesExtended', data: { ...ref(1), addedScopes: ['email'], scopes: ['email', 'openid'], extendedAt: at(0) } }]);
      spec.given([granted(at(3600))]).when(grant({}, 60)).thenNothing();
    });

    it('the same expiry again is a no-op', () => {
      spec.given([granted(at(3600))]).when(grant({ expiresAt: at(3600) })).thenNothing();
    });

    it('after the expiry, a grant starts a new consent (the next generation), as after a revocation', () => {
      spec
        .given([granted(at(-1))])
        .when(grant({ expiresIn: 60 }))
        .then([{ type: 'ConsentGranted', data: { ...ref(2), scopes: ['openid'], grantedAt: at(0), expiresAt: at(60) } }]);
      spec.given([granted(at(0))]).when(grant()).then([{ type: 'ConsentGranted', data: { ...ref(2), scopes: ['openid'], grantedAt: at(0) } }]);
    });

    it('an expired consent pending a user-wide revocation is not revoked by the grant: it is over already', () => {
      const command = { ...grant(), context: { client, userRevocations: 1 } };
      spec.given([granted(at(-1))]).when(command).then([{ type: 'ConsentGranted', data: { ...ref(2), scopes: ['openid'], grantedAt: at(0), afterUserRevocation: 1 } }]);
    });
  });

  describe('the state', () => {
    it('holds the expiry of the grant, then of the last renewal; null for none', () => {
      expect(stateAfter(consentDecider, [granted()])).toMatchObject({ expiresAt: null });
      expect(stateAfter(consentDecider, [granted(at(60))])).toMatchObject({ expiresAt: at(60) });
      expect(stateAfter(consentDecider, [granted(at(60)), renewed(at(10))])).toMatchObject({ expiresAt: at(10) });
      const plain: ConsentScopesExtended = { type: 'ConsentScopesExtended', data: { ...ref(1), addedScopes: ['email'], scopes: ['email', 'openid'], extendedAt: at(-30) } };
      expect(stateAfter(consentDecider, [granted(at(60)), plain])).toMatchObject({ expiresAt: at(60) });
    });

    it('an expired consent has no live token, whatever the tokens’ own expiry', () => {
      const events: ConsentEvent[] = [granted(at(3600)), issued('a', at(3000)), renewed(at(-1))];
      const state = stateAfter(consentDecider, events);
      expect(consentExpired(state, FIXED_NOW)).toBe(true);
      expect(isTokenLive(state, tokenId('a'), FIXED_NOW)).toBe(false);
      expect(liveTokens(state, FIXED_NOW)).toEqual([]);
      expect(consentExpired(state, secondsAfter(-2))).toBe(false);
      expect(isTokenLive(state, tokenId('a'), secondsAfter(-2))).toBe(true);
      expect(liveTokens(state, secondsAfter(-2))).toHaveLength(1);
    });

    it('a revoked or absent consent is not "expired": it is revoked, or none', () => {
      const revoked: ConsentEvent = { type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['openid'], tokensEnded: 0, revokedAt: at(-60), reason: null } };
      expect(consentExpired(stateAfter(consentDecider, [granted(at(-1)), revoked]), FIXED_NOW)).toBe(false);
      expect(consentExpired(consentDecider.initialState(), FIXED_NOW)).toBe(false);
    });
  });

  describe('tokens never outlive their consent', () => {
    it('a token asked for longer than its consent has left ends with the consent', () => {
      spec
        .given([granted(at(600))])
        .when(issue('t', 3600))
        .then([{ type: 'TokenIssued', data: { ...ref(1), tokenId: tokenId('t'), tokenHash: hashToken('t'), scopes: ['openid'], issuedAt: at(0), expiresAt: at(600) } }]);
    });

    it('a shorter one keeps its own lifetime; so does every token of a consent without expiry', () => {
      for (const events of [[granted(at(600))], [granted()]]) {
        spec
          .given(events)
          .when(issue('t', 60))
          .then([{ type: 'TokenIssued', data: { ...ref(1), tokenId: tokenId('t'), tokenHash: hashToken('t'), scopes: ['openid'], issuedAt: at(0), expiresAt: at(60) } }]);
      }
    });

    it('an expired consent gets no token: consent_expired (409), naming the expiry', () => {
      const error = spec.given([granted(at(0))]).when(issue('t')).thenThrows('consent_expired', 'conflict');
      expect(error.message).toBe(`Consent ${consentId()} expired at ${at(0)}; a new grant starts a new consent`);
      expect(error.details).toEqual({ expiresAt: at(0) });
    });

    it('revoking an expired consent, or a token under it, appends nothing', () => {
      const given = [granted(at(3600)), issued('a', at(3000)), renewed(at(-1))];
      spec.given(given).when({ type: 'RevokeConsent', data: { consent: parseConsentId(consentId())! } }).thenNothing();
      spec.given(given).when({ type: 'RevokeConsent', data: { consent: parseConsentId(consentId())!, userRevocation: 1 } }).thenNothing();
      spec.given(given).when({ type: 'RevokeToken', data: { tokenId: tokenId('a') } }).thenNothing();
      // A moment before the expiry, both still do something.
      const before = { now: secondsAfter(-2) };
      expect(spec.given(given).when({ type: 'RevokeToken', data: { tokenId: tokenId('a') } }, before).events()).toHaveLength(1);
      expect(spec.given(given).when({ type: 'RevokeConsent', data: { consent: parseConsentId(consentId())! } }, before).events()).toHaveLength(1);
    });
  });
});
