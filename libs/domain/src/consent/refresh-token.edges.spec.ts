import { hashToken, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, initialConsentState, RefreshTokenFamilyRevoked, RefreshTokenIssued, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import { refreshTokenIssued } from './refresh-lifetimes';
import { RefreshToken } from './refresh-token';

/** The edges of refresh tokens: the fold, the refusals' messages, and the checks on what the handler hands in. */
const USER = 'alice';
const CLIENT = 'transfer-app';
const consentId = 'cns_0123456789abcdef0123456789abcdef_1';
const ref = { consentId, userId: USER, clientId: CLIENT };
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const id = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const minted = (name: string) => ({ tokenId: id(name), tokenHash: hashToken(`raw-${name}`) });
const DAY = 86_400;
const LIFETIMES = { idleSeconds: 30 * DAY, absoluteSeconds: 90 * DAY };

const granted: ConsentGranted = { type: 'ConsentGranted', data: { ...ref, scopes: ['email', 'openid'], grantedAt: at(-7200), allowsRefresh: true } };
const refreshIssued = (name: string, seconds: number, family = 'r1', scopes = ['email', 'openid'], lifetime = LIFETIMES.idleSeconds): RefreshTokenIssued => ({
  type: 'RefreshTokenIssued',
  data: { ...ref, ...minted(name), familyId: id(family), scopes, issuedAt: at(seconds), expiresAt: at(seconds + lifetime), familyExpiresAt: at(90 * DAY) },
});
const accessIssued = (name: string, seconds: number, family: string): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref, ...minted(name), scopes: ['email', 'openid'], issuedAt: at(seconds), expiresAt: at(seconds + 3600), familyId: id(family) },
});
const familyRevoked = (family: string): RefreshTokenFamilyRevoked => ({
  type: 'RefreshTokenFamilyRevoked',
  data: { ...ref, familyId: id(family), tokenId: id(family), cause: 'revocation', revokedAt: at(-1), reason: null, tokensEnded: 1 },
});
const refresh = (name: string, data: Partial<RefreshToken['data']> = {}, context: Partial<RefreshToken['context']> = {}): RefreshToken => ({
  type: 'RefreshToken',
  data: { tokenId: id(name), byClient: CLIENT, access: minted('a-new'), refresh: minted('r-new'), ...data },
  context: { client: clientState(), lookupActive: true, lifetimes: LIFETIMES, ...context },
});
const spec = DeciderSpecification.for(consentDecider);

describe('Refresh tokens: the fold', () => {
  it('ignores a refresh token of a consent that is not active, and a family revocation before any consent', () => {
    const revoked: ConsentEvent = { type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['email', 'openid'], revokedAt: at(-10), reason: null } };
    const state = stateAfter(consentDecider, [granted, revoked, refreshIssued('r1', -5)]);
    expect(state.status === 'revoked' && state.refreshTokens.size).toBe(0);
    expect(stateAfter(consentDecider, [familyRevoked('r1')])).toEqual(initialConsentState());
  });

  it("ends every token of the family, keeping each one's facts, and nothing of another family", () => {
    const state = stateAfter(consentDecider, [granted, accessIssued('a1', -60, 'r1'), refreshIssued('r1', -60), refreshIssued('s1', -50, 's1'), familyRevoked('r1')]);
    if (state.status !== 'active') throw new Error('active expected');
    expect(state.tokens.get(id('a1'))).toEqual({ tokenHash: minted('a1').tokenHash, scopes: ['email', 'openid'], issuedAt: at(-60), expiresAtMs: secondsAfter(3540).getTime(), revoked: true, familyId: id('r1') });
    expect(state.refreshTokens.get(id('r1'))).toMatchObject({ status: 'revoked', tokenHash: minted('r1').tokenHash, familyId: id('r1') });
    expect(state.refreshTokens.get(id('s1'))).toMatchObject({ status: 'live' });
  });

  it('a scope revocation ends only the refresh tokens that carry a revoked scope', () => {
    const scopesRevoked: ConsentEvent = {
      type: 'ConsentScopesRevoked',
      data: { ...ref, revokedScopes: ['email'], remainingScopes: ['openid'], revokedAt: at(-1), reason: null, tokensEnded: 1 },
    };
    const events = [granted, refreshIssued('r1', -60), refreshIssued('s1', -50, 's1', ['openid']), scopesRevoked];
    spec.given(events).when(refresh('r1')).thenThrows('invalid_grant');
    expect(spec.given(events).when(refresh('s1')).events()).toHaveLength(2);
  });

  it('drops refresh tokens once they have expired, now and then, and keeps the live ones', () => {
    // 63 short-lived tokens and a long-lived one, then one issued after the short ones expired: the map has reached
    // the size at which it is first pruned (consent.ts, pruneNowAndThen).
    const short = Array.from({ length: 62 }, (_, i) => refreshIssued(`old-${i}`, -7000, `old-${i}`, ['openid'], 60));
    // One that ends at the very instant the next is issued has expired then, too.
    short.push(refreshIssued('old-last', -7000, 'old-last', ['openid'], 6990));
    const state = stateAfter(consentDecider, [granted, refreshIssued('keep', -7000, 'keep'), ...short, refreshIssued('r1', -10)]);
    if (state.status !== 'active') throw new Error('active expected');
    expect([...state.refreshTokens.keys()].sort()).toEqual([id('keep'), id('r1')].sort());
  });
});

describe('Refresh tokens: what each refusal says', () => {
  const family = [granted, accessIssued('a1', -60, 'r1'), refreshIssued('r1', -60)];
  const message = (events: ConsentEvent[], command: RefreshToken, now = FIXED_NOW) => spec.given(events).when(command, { now }).thenThrows('invalid_grant', 'validation').message;

  it('names the reason, for people', () => {
    expect(message([], refresh('r1'))).toBe('The refresh token is unknown or has expired');
    expect(message(family, refresh('nope'))).toBe('The refresh token is unknown or has expired');
    expect(message(family, refresh('r1', { byClient: 'other' }))).toBe('The refresh token was not issued to this client');
    const revoked: ConsentEvent = { type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['email', 'openid'], revokedAt: at(-1), reason: null } };
    expect(message([...family, revoked], refresh('r1'))).toBe('The consent of this refresh token has been revoked');
    expect(message([{ ...granted, data: { ...granted.data, expiresAt: at(-1) } }, refreshIssued('r1', -60)], refresh('r1'))).toBe('The consent of this refresh token has expired');
    expect(message(family, refresh('r1', {}, { lookupActive: false }))).toBe('The refresh token has been revoked');
    expect(message(family, refresh('r1'), secondsAfter(31 * DAY))).toBe('The refresh token has expired');
    expect(message(family, refresh('r1', {}, { client: clientState(['openid']) }))).toBe('The client is not active or no longer allows every scope of this refresh token');
  });

  it('names the scopes beyond the refresh token, and a malformed one by its parameter', () => {
    const beyond = spec.given(family).when(refresh('r1', { scopes: ['profile', 'phone'] })).thenThrows('invalid_scope');
    expect(beyond.message).toBe('The refresh token does not carry: phone profile');
    expect(beyond.details).toEqual({ scopes: ['phone', 'profile'] });
    expect(spec.given(family).when(refresh('r1', { scopes: ['a"b'] })).thenThrows('invalid_scope').message).toContain('scope[0]');
  });

  it('counts only the live tokens of the family it ends', () => {
    const other = [accessIssued('b1', -30, 's1'), refreshIssued('s1', -30, 's1')];
    const used: ConsentEvent[] = [...family, ...other, { ...refreshIssued('r2', -20), data: { ...refreshIssued('r2', -20).data, replaces: minted('r1') } }, accessIssued('a2', -20, 'r1')];
    // Two hours on, the family's access tokens have expired: only its live refresh token is counted.
    const [ended] = spec.given(used).when(refresh('r1'), { now: secondsAfter(7200) }).events();
    expect(ended.data).toMatchObject({ tokensEnded: 1 });
    const [now] = spec.given(used).when(refresh('r1')).events();
    expect(now.data).toMatchObject({ tokensEnded: 3 });
  });

  it('does not count a token of the family whose expiry has come', () => {
    const used: ConsentEvent[] = [...family, { ...refreshIssued('r2', -20), data: { ...refreshIssued('r2', -20).data, replaces: minted('r1') } }];
    // At r2's expiry instant (and a1's long before): nothing live is left to count, though reuse is still recognised.
    const [ended] = spec.given(used).when(refresh('r1'), { now: secondsAfter(-20 + LIFETIMES.idleSeconds) }).events();
    expect(ended.data).toMatchObject({ cause: 'reuse', tokensEnded: 0 });
    const a1Expiry = spec.given([...used, accessIssued('a2', -3600 - 10, 'r1')]).when(refresh('r1'), { now: secondsAfter(-10) }).events()[0];
    expect(a1Expiry.data).toMatchObject({ tokensEnded: 2 });
  });

  it('refuses hashes that are not exactly 64 hex digits (a programming error)', () => {
    const hex = hashToken('x');
    for (const tokenHash of [`x${hex}`, `${hex}x`]) expect(() => spec.given(family).when(refresh('r1', { access: { tokenId: id('z'), tokenHash } })).events()).toThrow(/two new token ids/);
  });
});

describe('refreshTokenIssued: lifetimes from configuration', () => {
  const state = stateAfter(consentDecider, [granted]);
  if (state.status !== 'active') throw new Error('active expected');

  it('refuses lifetimes that are not whole seconds of at least one, and takes one second', () => {
    for (const lifetimes of [{ idleSeconds: 0, absoluteSeconds: 60 }, { idleSeconds: 1.5, absoluteSeconds: 60 }, { idleSeconds: 60, absoluteSeconds: 0 }, { idleSeconds: 60, absoluteSeconds: 2.5 }]) {
      expect(() => refreshTokenIssued(state, minted('r1'), ['openid'], FIXED_NOW, lifetimes)).toThrow('Refresh lifetimes must be whole numbers of seconds, at least 1');
    }
    expect(refreshTokenIssued(state, minted('r1'), ['openid'], FIXED_NOW, { idleSeconds: 1, absoluteSeconds: 1 }).data).toMatchObject({ expiresAt: at(1), familyExpiresAt: at(1) });
  });
});

describe('allowsRefresh through the fold, and IssueToken without refresh ids', () => {
  const plain: ConsentGranted = { type: 'ConsentGranted', data: { ...ref, scopes: ['openid'], grantedAt: at(-7200) } };
  const extended = (allowsRefresh?: true): ConsentEvent => ({
    type: 'ConsentScopesExtended',
    data: { ...ref, addedScopes: ['email'], scopes: ['email', 'openid'], extendedAt: at(-3600), ...(allowsRefresh ? { allowsRefresh } : {}) },
  });
  const allows = (events: ConsentEvent[]) => {
    const state = stateAfter(consentDecider, events);
    return state.status === 'active' && state.allowsRefresh;
  };

  it('an extension turns refresh on when it says so, and otherwise leaves it as it was', () => {
    expect(allows([plain, extended()])).toBe(false);
    expect(allows([plain, extended(true)])).toBe(true);
    expect(allows([{ ...plain, data: { ...plain.data, allowsRefresh: true } }, extended()])).toBe(true);
  });

  it('issues no refresh token without the handler\'s ids, and refuses ids that are not a token id and a SHA-256 hash', () => {
    const issue = (refreshIds?: { tokenId: string; tokenHash: string }) => ({
      type: 'IssueToken' as const,
      data: { consent: parseConsentId(consentId)!, ...minted('a1'), ...(refreshIds ? { refresh: refreshIds } : {}) },
      context: { client: clientState() },
    });
    expect(spec.given([granted]).when(issue()).events().map((e) => e.type)).toEqual(['TokenIssued']);
    expect(() => spec.given([granted]).when(issue({ tokenId: 'nope', tokenHash: minted('r1').tokenHash })).events()).toThrow(/refresh token id/);
    expect(() => spec.given([granted]).when(issue({ tokenId: id('r1'), tokenHash: 'NOPE' })).events()).toThrow(/refresh token id/);
  });
});
