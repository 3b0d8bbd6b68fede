import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, isTokenLive, RefreshTokenFamilyRevoked, RefreshTokenIssued, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import { DEFAULT_TOKEN_LIFETIME_S, IssueToken } from './issue-token';
import { DEFAULT_REFRESH_LIFETIMES } from './refresh-lifetimes';
import { RefreshToken } from './refresh-token';

const USER = 'alice';
const CLIENT = 'transfer-app';
const consentId = consentIdFor(pairKey(USER, CLIENT), 1);
const ref = { consentId, userId: USER, clientId: CLIENT };
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const id = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const minted = (name: string) => ({ tokenId: id(name), tokenHash: hashToken(`raw-${name}`) });
const DAY = 86_400;
const LIFETIMES = { idleSeconds: 30 * DAY, absoluteSeconds: 90 * DAY };

const granted = (extra: Partial<ConsentGranted['data']> = { allowsRefresh: true }): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref, scopes: ['email', 'openid'], grantedAt: at(-7200), ...extra },
});
const accessIssued = (name: string, seconds: number, familyId?: string, scopes = ['email', 'openid']): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref, ...minted(name), scopes, issuedAt: at(seconds), expiresAt: at(seconds + DEFAULT_TOKEN_LIFETIME_S), ...(familyId ? { familyId } : {}) },
});
const refreshIssued = (name: string, seconds: number, family = 'r1', replaces?: string, scopes = ['email', 'openid']): RefreshTokenIssued => ({
  type: 'RefreshTokenIssued',
  data: {
    ...ref,
    ...minted(name),
    familyId: id(family),
    scopes,
    issuedAt: at(seconds),
    expiresAt: at(seconds + LIFETIMES.idleSeconds),
    familyExpiresAt: at(-60 + LIFETIMES.absoluteSeconds),
    ...(replaces ? { replaces: minted(replaces) } : {}),
  },
});
/** A family begun at -60 s (a1 + r1), used once at -30 s (r1 -> r2 + a2). */
const family: ConsentEvent[] = [granted(), accessIssued('a1', -60, id('r1')), refreshIssued('r1', -60), refreshIssued('r2', -30, 'r1', 'r1'), accessIssued('a2', -30, id('r1'))];

const refresh = (name: string, data: Partial<RefreshToken['data']> = {}, context: Partial<RefreshToken['context']> = {}): RefreshToken => ({
  type: 'RefreshToken',
  data: { tokenId: id(name), byClient: CLIENT, access: minted('a-new'), refresh: minted('r-new'), ...data },
  context: { client: clientState(), lookupActive: true, lifetimes: LIFETIMES, ...context },
});
const familyRevoked = (tokenName: string, cause: 'reuse' | 'revocation', tokensEnded: number): RefreshTokenFamilyRevoked => ({
  type: 'RefreshTokenFamilyRevoked',
  data: { ...ref, familyId: id('r1'), tokenId: id(tokenName), cause, revokedAt: at(0), reason: null, tokensEnded },
});

describe('Refresh tokens', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('IssueToken under a consent that allows refresh', () => {
    const issue = (data: Partial<IssueToken['data']> = {}): IssueToken => ({
      type: 'IssueToken',
      data: { consent: parseConsentId(consentId)!, ...minted('a1'), refresh: minted('r1'), ...data },
      context: { client: clientState(), refreshLifetimes: LIFETIMES },
    });

    it('starts a family: the refresh token names itself as the family, the access token belongs to it', () => {
      spec.given([granted()]).when(issue()).then([
        accessIssued('a1', 0, id('r1')),
        { type: 'RefreshTokenIssued', data: { ...ref, ...minted('r1'), familyId: id('r1'), scopes: ['email', 'openid'], issuedAt: at(0), expiresAt: at(30 * DAY), familyExpiresAt: at(90 * DAY) } },
      ]);
    });

    it('gives no refresh token where the consent does not allow refresh', () => {
      spec.given([granted({})]).when(issue()).then([accessIssued('a1', 0)]);
    });

    it('uses the default lifetimes when none are configured, and never outlives the consent', () => {
      const command = { ...issue(), context: { client: clientState() } };
      const [, refreshEvent] = spec.given([granted({ allowsRefresh: true, expiresAt: at(100 * DAY) })]).when(command).events();
      expect(DEFAULT_REFRESH_LIFETIMES).toEqual({ idleSeconds: 180 * DAY, absoluteSeconds: 365 * DAY });
      expect(refreshEvent.data).toMatchObject({ expiresAt: at(100 * DAY), familyExpiresAt: at(365 * DAY) });
    });

    it('refuses refresh ids that are the access token id (a handler bug)', () => {
      expect(() => spec.given([granted()]).when(issue({ refresh: minted('a1') })).events()).toThrow(/refresh token id/);
    });
  });

  describe('GrantConsent with allowsRefresh', () => {
    const grant = (allowsRefresh?: boolean) => ({
      type: 'GrantConsent' as const,
      data: { userId: USER, clientId: CLIENT, scopes: ['email', 'openid'], ...(allowsRefresh === undefined ? {} : { allowsRefresh }) },
      context: { client: clientState() },
    });

    it('records it on a new consent', () => {
      expect(spec.given([]).when(grant(true)).events()[0].data).toMatchObject({ allowsRefresh: true });
      expect(spec.given([]).when(grant(false)).events()[0].data).not.toHaveProperty('allowsRefresh');
    });

    it('turns it on for an active consent, and a grant without it changes nothing', () => {
      expect(spec.given([granted({})]).when(grant(true)).events()).toEqual([
        { type: 'ConsentScopesExtended', data: { ...ref, addedScopes: [], scopes: ['email', 'openid'], extendedAt: at(0), allowsRefresh: true } },
      ]);
      spec.given([granted()]).when(grant(true)).thenNothing();
      spec.given([granted()]).when(grant(false)).thenNothing();
    });

    it('refuses a value that is not a boolean', () => {
      const refused = spec.given([]).when({ ...grant(), data: { ...grant().data, allowsRefresh: 'yes' as unknown as boolean } }).thenThrows('invalid_request', 'validation');
      expect(refused.message).toBe('allowsRefresh must be a boolean');
    });
  });

  describe('RefreshToken', () => {
    it('ends the token presented and issues the next pair of the family, with its scopes', () => {
      spec.given(family).when(refresh('r2')).then([
        {
          type: 'RefreshTokenIssued',
          data: { ...ref, ...minted('r-new'), familyId: id('r1'), scopes: ['email', 'openid'], issuedAt: at(0), expiresAt: at(30 * DAY), familyExpiresAt: at(-60 + 90 * DAY), replaces: minted('r2') },
        },
        accessIssued('a-new', 0, id('r1')),
      ]);
    });

    it('issues an access token with fewer scopes when asked, the refresh token keeping its own', () => {
      const [next, access] = spec.given(family).when(refresh('r2', { scopes: ['openid'] })).events();
      expect(next.data).toMatchObject({ scopes: ['email', 'openid'] });
      expect(access.data).toMatchObject({ scopes: ['openid'] });
    });

    it('refuses a scope the refresh token does not carry, and an empty one', () => {
      spec.given(family).when(refresh('r2', { scopes: ['profile'] })).thenThrows('invalid_scope', 'validation');
      spec.given(family).when(refresh('r2', { scopes: [] })).thenThrows('invalid_scope', 'validation');
    });

    it('on reuse of an ended token ends the whole family: every refresh and access token descended from the first', () => {
      spec.given(family).when(refresh('r1')).then([familyRevoked('r1', 'reuse', 3)]);
      const state = stateAfter(consentDecider, [...family, familyRevoked('r1', 'reuse', 3)]);
      expect(isTokenLive(state, id('a1'), FIXED_NOW) || isTokenLive(state, id('a2'), FIXED_NOW)).toBe(false);
      // The live token of the family is gone with it, and presenting anything of it again appends nothing.
      spec.given([...family, familyRevoked('r1', 'reuse', 3)]).when(refresh('r2')).thenThrows('invalid_grant', 'validation');
      spec.given([...family, familyRevoked('r1', 'reuse', 3)]).when(refresh('r1')).thenThrows('invalid_grant', 'validation');
    });

    it('leaves other families and tokens of the consent alone', () => {
      const other = [accessIssued('b1', -10, id('s1')), refreshIssued('s1', -10, 's1'), accessIssued('plain', -10)];
      const state = stateAfter(consentDecider, [...family, ...other, familyRevoked('r1', 'reuse', 3)]);
      expect(isTokenLive(state, id('b1'), FIXED_NOW) && isTokenLive(state, id('plain'), FIXED_NOW)).toBe(true);
      expect(spec.given([...family, ...other, familyRevoked('r1', 'reuse', 3)]).when(refresh('s1')).events()).toHaveLength(2);
    });

    it('refuses an unknown token, one of another client, and one of a consent never granted', () => {
      spec.given(family).when(refresh('nope')).thenThrows('invalid_grant');
      spec.given(family).when(refresh('r2', { byClient: 'other-app' })).thenThrows('invalid_grant');
      spec.given([]).when(refresh('r2')).thenThrows('invalid_grant');
    });

    it('refuses after the consent, or a scope the token carries, was revoked: the refresh tokens ended with it', () => {
      const revoked = { ...ref, revokedAt: at(-5), reason: null, tokensEnded: 2 };
      spec.given([...family, { type: 'ConsentRevoked', data: { ...revoked, revokedScopes: ['email', 'openid'] } }]).when(refresh('r2')).thenThrows('invalid_grant');
      spec.given([...family, { type: 'ConsentScopesRevoked', data: { ...revoked, revokedScopes: ['email'], remainingScopes: ['openid'] } }]).when(refresh('r2')).thenThrows('invalid_grant');
      // A used token stays used after a revocation: its reuse is refused, not a second revocation.
      spec.given([...family, { type: 'ConsentScopesRevoked', data: { ...revoked, revokedScopes: ['email'], remainingScopes: ['openid'] } }]).when(refresh('r1')).then([familyRevoked('r1', 'reuse', 0)]);
    });

    it('refuses after a user-wide revocation the stream has not recorded yet', () => {
      spec.given(family).when(refresh('r2', {}, { userRevocations: 1 })).thenThrows('invalid_grant');
    });

    it('refuses once the consent has expired', () => {
      spec.given([{ ...granted({ allowsRefresh: true, expiresAt: at(-1) }) }, refreshIssued('r1', -60)]).when(refresh('r1')).thenThrows('invalid_grant');
    });

    it('refuses a token past its idle lifetime, and one the token view has cut (a not-before)', () => {
      spec.given(family).when(refresh('r2'), { now: secondsAfter(-30 + 30 * DAY) }).thenThrows('invalid_grant');
      expect(spec.given(family).when(refresh('r2'), { now: secondsAfter(-31 + 30 * DAY) }).events()).toHaveLength(2);
      spec.given(family).when(refresh('r2', {}, { lookupActive: false })).thenThrows('invalid_grant');
    });

    it('never lets the next token outlive the family or the consent', () => {
      const late = secondsAfter(-31 + 30 * DAY);
      const [next] = spec.given(family).when(refresh('r2', {}, { lifetimes: { idleSeconds: 80 * DAY, absoluteSeconds: 1 } }), { now: late }).events();
      expect(next.data).toMatchObject({ expiresAt: at(-60 + 90 * DAY), familyExpiresAt: at(-60 + 90 * DAY) });
      const ending = [granted({ allowsRefresh: true, expiresAt: at(600) }), refreshIssued('r1', -60)];
      const [n2, a2] = spec.given(ending).when(refresh('r1')).events();
      expect([n2.data, a2.data]).toMatchObject([{ expiresAt: at(600) }, { expiresAt: at(600) }]);
    });

    it('refuses when the client is disabled or no longer allows a scope of the token', () => {
      spec.given(family).when(refresh('r2', {}, { client: clientState(null, 'disabled') })).thenThrows('invalid_grant');
      spec.given(family).when(refresh('r2', {}, { client: clientState(['openid']) })).thenThrows('invalid_grant');
    });

    it('refuses ids the handler reused (a programming error, not a request)', () => {
      expect(() => spec.given(family).when(refresh('r2', { access: minted('a1') })).events()).toThrow(/two new token ids/);
      expect(() => spec.given(family).when(refresh('r2', { refresh: minted('r1') })).events()).toThrow(/two new token ids/);
      expect(() => spec.given(family).when(refresh('r2', { refresh: { tokenId: id('x'), tokenHash: 'NOPE' } })).events()).toThrow(/two new token ids/);
    });
  });

  describe('RevokeToken of a refresh token (RFC 7009)', () => {
    const revoke = (name: string, byClient?: string) => ({ type: 'RevokeToken' as const, data: { tokenId: id(name), ...(byClient ? { byClient } : {}) } });

    it('ends the family, the access tokens issued from it included', () => {
      spec.given(family).when(revoke('r2', CLIENT)).then([familyRevoked('r2', 'revocation', 3)]);
    });

    it('appends nothing when nothing of the family is live, and refuses another client', () => {
      spec.given([...family, familyRevoked('r1', 'reuse', 3)]).when(revoke('r2')).thenNothing();
      spec.given(family).when(revoke('r2', 'other-app')).thenThrows('token_not_owned');
    });
  });
});
