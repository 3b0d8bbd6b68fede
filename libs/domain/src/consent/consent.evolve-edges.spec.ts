import { consentIdFor, hashToken, pairKey } from '../shared/ids';
import { secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentRevoked, ConsentScopesExtended, ConsentScopesRevoked, idempotentIssueOf, initialConsentState, isTokenLive, TokenIssued, TokenRevoked } from './consent';
import { ConsentCommand, consentDecider } from './consent.decider';

/**
 * evolve at its edges: events that decide() never produces for the state at hand (a stray event after a full
 * revocation, an event type from a later version, a token the state no longer holds) leave the state as it was,
 * and the queries on the state answer for a pair that never had a consent.
 */
const ref = { consentId: consentIdFor(pairKey('alice', 'transfer-app'), 1), userId: 'alice', clientId: 'transfer-app' };
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;

const granted: ConsentEvent = { type: 'ConsentGranted', data: { ...ref, scopes: ['email', 'openid'], grantedAt: at(-7200) } };
const revoked: ConsentRevoked = { type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['email', 'openid'], endedTokens: [], revokedAt: at(-3600), reason: null } };
const extended: ConsentScopesExtended = { type: 'ConsentScopesExtended', data: { ...ref, addedScopes: ['profile'], scopes: ['email', 'openid', 'profile'], extendedAt: at(-60) } };
const narrowed: ConsentScopesRevoked = {
  type: 'ConsentScopesRevoked',
  data: { ...ref, revokedScopes: ['email'], remainingScopes: ['openid'], endedTokens: [], revokedAt: at(-60), reason: null },
};
const issued = (name: string, issuedAt: number, expiresIn = 3600): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref, tokenId: tokenId(name), tokenHash: hashToken(name), scopes: ['openid'], issuedAt: at(issuedAt), expiresAt: at(issuedAt + expiresIn) },
});
const tokenRevoked = (name: string): TokenRevoked => ({ type: 'TokenRevoked', data: { ...ref, tokenId: tokenId(name), tokenHash: hashToken(name), revokedAt: at(-30), reason: null } });

describe('Consent aggregate: evolve at its edges', () => {
  it.each<[string, ConsentEvent]>([
    ['an extension', extended],
    ['a partial revocation', narrowed],
    ['a second full revocation', { ...revoked, data: { ...revoked.data, revokedAt: at(-10) } }],
    ['a token', issued('late', -10)],
  ])('ignores %s after the consent was revoked in full', (_label, stray) => {
    expect(stateAfter(consentDecider, [granted, revoked, stray])).toEqual(stateAfter(consentDecider, [granted, revoked]));
  });

  it.each<[string, ConsentEvent]>([
    ['an extension', extended],
    ['a partial revocation', narrowed],
    ['a full revocation', revoked],
    ['a token revocation', tokenRevoked('x')],
  ])('ignores %s before any consent', (_label, stray) => {
    expect(stateAfter(consentDecider, [stray])).toEqual(initialConsentState());
  });

  it('ignores an event type it does not know (one from a later version)', () => {
    const state = stateAfter(consentDecider, [granted]);
    expect(consentDecider.evolve(state, { type: 'ConsentRenamed', data: {} } as unknown as ConsentEvent)).toBe(state);
  });

  it('a revocation of a token the state no longer holds adds nothing to the state', () => {
    const state = stateAfter(consentDecider, [granted, issued('t1', -600), tokenRevoked('gone')]);
    expect(state.status !== 'none' && [...state.tokens.keys()]).toEqual([tokenId('t1')]);
  });

  it('a retry window that ends at the instant of the next issue is closed then, and dropped', () => {
    const windowed: TokenIssued = { ...issued('t1', -600), data: { ...issued('t1', -600).data, idempotency: { keyHash: 'a'.repeat(64), fingerprint: 'b'.repeat(64), nonce: 'c'.repeat(32), until: at(-300) } } };
    // Closed windows are dropped when the map is next pruned (consent.ts, pruneNowAndThen): 64 windowed issues at that
    // instant get it there, and the window that ends exactly then is among the dropped.
    const atTheEnd = Array.from({ length: 64 }, (_, i): TokenIssued => {
      const plain = issued(`u${i}`, -300);
      return { ...plain, data: { ...plain.data, idempotency: { keyHash: i.toString(16).padStart(64, '0'), fingerprint: 'b'.repeat(64), nonce: 'c'.repeat(32), until: at(0) } } };
    });
    const state = stateAfter(consentDecider, [granted, windowed, ...atTheEnd]);
    expect(state.status !== 'none' && state.idempotentIssues.has('a'.repeat(64))).toBe(false);
  });

  it('decide refuses a command type it does not know, naming it', () => {
    expect(() => consentDecider.decide({ type: 'RenameConsent' } as unknown as ConsentCommand, initialConsentState(), { now: secondsAfter(0), actor: 'a', correlationId: 'c', initiator: 'user' })).toThrow(
      'Unknown consent command {"type":"RenameConsent"}',
    );
  });
});

describe('queries on a pair that never had a consent', () => {
  it('knows no retry window and no live token', () => {
    expect(idempotentIssueOf(initialConsentState(), 'a'.repeat(64), secondsAfter(0))).toBeUndefined();
    expect(isTokenLive(initialConsentState(), tokenId('t1'), secondsAfter(0))).toBe(false);
  });
});
