import { ClientState } from '../client/client';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { ConsentGranted, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import { IssueToken } from './issue-token';

/**
 * IssueToken and the consent's client: a disabled or deleted client gets no token, and a token carries only scopes
 * its client still allows, whatever the consent recorded before the client was narrowed.
 */
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const consentId = consentIdFor(pairKey('alice', 'transfer-app'), 1);
const ref = { consentId, userId: 'alice', clientId: 'transfer-app' };
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const tokenId = (n: number) => `tok_${String(n).padStart(32, '0')}`;
const SHA = (s: string) => hashToken(s);

const granted: ConsentGranted = { type: 'ConsentGranted', data: { ...ref, scopes: ['email', 'openid', TRANSFER], grantedAt: at(-7200) } };
const issue = (client: ClientState, scopes?: string[], idempotency?: IssueToken['data']['idempotency'], n = 1): IssueToken => ({
  type: 'IssueToken',
  data: { consent: parseConsentId(consentId)!, tokenId: tokenId(n), tokenHash: SHA(`raw-${n}`), ...(scopes ? { scopes } : {}), ...(idempotency ? { idempotency } : {}) },
  context: { client },
});
const issued = (scopes: string[], n = 1, extra: Partial<TokenIssued['data']> = {}): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref, tokenId: tokenId(n), tokenHash: SHA(`raw-${n}`), scopes, issuedAt: at(0), expiresAt: at(3600), ...extra },
});

describe('IssueToken: the client', () => {
  const spec = DeciderSpecification.for(consentDecider);

  it('a disabled client gets no token: client_disabled; a deleted one: client_deleted', () => {
    spec.given([granted]).when(issue(clientState(null, 'disabled'))).thenThrows('client_disabled', 'conflict');
    spec.given([granted]).when(issue(clientState(null, 'deleted'))).thenThrows('client_deleted', 'conflict');
  });

  it('a revoked consent says so first: the client is asked only about a live consent', () => {
    const revoked = { type: 'ConsentRevoked' as const, data: { ...ref, revokedScopes: ['openid'], revokedAt: at(-60), reason: null } };
    spec.given([granted, revoked]).when(issue(clientState(null, 'disabled'))).thenThrows('consent_not_active');
  });

  it('once re-enabled, issues again', () => {
    spec.given([granted]).when(issue(clientState(null, 'active'), ['openid'])).then([issued(['openid'])]);
  });

  describe('after the client was narrowed', () => {
    const narrowed = clientState(['email', 'openid']);

    it('refuses a token asked with a scope the client no longer allows: scope_not_allowed, naming it', () => {
      const error = spec.given([granted]).when(issue(narrowed, ['openid', TRANSFER])).thenThrows('scope_not_allowed', 'validation');
      expect(error.details).toEqual({ scopes: [TRANSFER] });
      expect(error.message).toBe(`Client transfer-app may not be granted: ${TRANSFER}`);
      const two = spec.given([granted]).when(issue(clientState(['openid']), ['email', 'openid', TRANSFER])).thenThrows('scope_not_allowed');
      expect(two.message).toBe(`Client transfer-app may not be granted: email ${TRANSFER}`);
    });

    it('without scopes, issues what the consent grants and the client still allows', () => {
      spec.given([granted]).when(issue(narrowed)).then([issued(['email', 'openid'])]);
    });

    it('refuses when the client allows none of the consent: scope_not_allowed', () => {
      const error = spec.given([granted]).when(issue(clientState(['profile']))).thenThrows('scope_not_allowed');
      expect(error.message).toBe(`Client transfer-app no longer allows any scope of consent ${consentId}`);
      // The details name the consent's scopes: none of them is allowed.
      expect(error.details).toEqual({ scopes: ['email', 'openid', TRANSFER] });
    });

    it('a scope beyond the consent is still scope_not_consented, whatever the client allows', () => {
      spec.given([granted]).when(issue(narrowed, ['profile'])).thenThrows('scope_not_consented');
    });
  });

  describe('a retry under an Idempotency-Key', () => {
    const key = { keyHash: SHA('key'), fingerprint: SHA('body'), nonce: '0'.repeat(32), windowSeconds: 600 };
    const first = issued(['openid', TRANSFER], 1, { idempotency: { keyHash: key.keyHash, fingerprint: key.fingerprint, nonce: key.nonce, until: at(600) } });

    it('while the client allows the token, appends nothing (the handler answers with the first token)', () => {
      spec.given([granted, first]).when(issue(clientState(), ['openid', TRANSFER], key, 2)).thenNothing();
      // Narrowed, but still allowing every scope the token carries.
      spec.given([granted, first]).when(issue(clientState(['email', 'openid', TRANSFER]), ['openid', TRANSFER], key, 2)).thenNothing();
    });

    it('once the client is disabled, hears that its token has ended: token_no_longer_active', () => {
      const error = spec.given([granted, first]).when(issue(clientState(null, 'disabled'), ['openid', TRANSFER], key, 2)).thenThrows('token_no_longer_active', 'conflict');
      expect(error.details).toEqual({ tokenId: tokenId(1) });
    });

    it('once the client no longer allows a scope the token carries, hears the same', () => {
      spec.given([granted, first]).when(issue(clientState(['openid']), ['openid', TRANSFER], key, 2)).thenThrows('token_no_longer_active');
    });
  });
});
