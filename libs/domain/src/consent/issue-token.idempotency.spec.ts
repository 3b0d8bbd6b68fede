import { DomainError } from '../shared/domain-error';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, ConsentScopesRevoked, ConsentState, idempotentIssueOf, TokenIssued, TokenRevoked } from './consent';
import { consentDecider } from './consent.decider';
import { IssueToken } from './issue-token';

/**
 * IssueToken under an Idempotency-Key. The handler derives each attempt's token from (key, nonce) with a fresh
 * nonce; the first issue records its nonce in the stream, and a retry is answered from the stream: the same token
 * while it lives, a refusal once it is dead, and never the same token id issued twice.
 */
const USER = 'alice';
const CLIENT = 'transfer-app';
const WINDOW = 86_400;

const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

const hex = (s: string, length: number) => Buffer.from(s.padEnd(length / 2, '_').slice(0, length / 2)).toString('hex');
const keyHash = (key: string) => hashToken(`key:${key}`);
const fingerprint = (body: string) => hashToken(`body:${body}`);
const nonce = (attempt: string) => hex(attempt, 32);
/** What the handler derives from (key, nonce): a token id and a hash that differ for every attempt. */
const tokenId = (key: string, attempt: string) => `tok_${hashToken(`${key}/${attempt}`).slice(0, 32)}`;
const tokenHash = (key: string, attempt: string) => hashToken(`raw/${key}/${attempt}`);

const granted = (generation = 1, seconds = -7200): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes: ['openid'], grantedAt: at(seconds) },
});

/** The attempt `attempt` of a request under `key`, at whatever instant the test decides it. */
const issue = (key: string, attempt: string, options: { body?: string; expiresIn?: number; window?: number; generation?: number } = {}): IssueToken => ({
  type: 'IssueToken',
  data: {
    consent: parseConsentId(consentId(options.generation))!,
    tokenId: tokenId(key, attempt),
    tokenHash: tokenHash(key, attempt),
    expiresIn: options.expiresIn ?? 600,
    idempotency: { keyHash: keyHash(key), fingerprint: fingerprint(options.body ?? 'body'), nonce: nonce(attempt), windowSeconds: options.window ?? WINDOW },
  },
  context: { client: clientState() },
});

/** The TokenIssued that attempt `attempt` under `key` produces when decided `seconds` after FIXED_NOW. */
const issued = (key: string, attempt: string, seconds = 0, options: { expiresIn?: number; window?: number; body?: string } = {}): TokenIssued => ({
  type: 'TokenIssued',
  data: {
    ...ref(),
    tokenId: tokenId(key, attempt),
    tokenHash: tokenHash(key, attempt),
    scopes: ['openid'],
    issuedAt: at(seconds),
    expiresAt: at(seconds + (options.expiresIn ?? 600)),
    idempotency: { keyHash: keyHash(key), fingerprint: fingerprint(options.body ?? 'body'), nonce: nonce(attempt), until: at(seconds + (options.window ?? WINDOW)) },
  },
});
const plainIssued = (name: string, seconds: number): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(), tokenId: tokenId(name, 'plain'), tokenHash: tokenHash(name, 'plain'), scopes: ['openid'], issuedAt: at(seconds), expiresAt: at(seconds + 600) },
});
const revoked = (key: string, attempt: string, seconds: number): TokenRevoked => ({
  type: 'TokenRevoked',
  data: { ...ref(), tokenId: tokenId(key, attempt), tokenHash: tokenHash(key, attempt), revokedAt: at(seconds), reason: null },
});
const ended = (key: string, attempt: string) => [{ tokenId: tokenId(key, attempt), tokenHash: tokenHash(key, attempt) }];

const HEX_RULE = 'IssueToken idempotency needs SHA-256 hex key hash and fingerprint and a 128-bit hex nonce';
const WINDOW_RULE = 'IssueToken idempotency needs a window of at least one whole second';

describe('IssueToken under an Idempotency-Key', () => {
  const spec = DeciderSpecification.for(consentDecider);
  const now = (seconds: number) => ({ now: secondsAfter(seconds) });

  it('the first request issues the token and records key hash, fingerprint, nonce and the end of the window', () => {
    spec.given([granted()]).when(issue('k', 'first')).then([issued('k', 'first')]);
  });

  it('takes the window from the command (configuration), not from a constant', () => {
    spec.given([granted()]).when(issue('k', 'first', { window: 90 })).then([issued('k', 'first', 0, { window: 90 })]);
  });

  it('a retry of the same request while the token lives appends nothing; the window names the first token', () => {
    const history = [granted(), issued('k', 'first')];
    spec.given(history).when(issue('k', 'retry'), now(30)).thenNothing();
    expect(idempotentIssueOf(stateAfter(consentDecider, history), keyHash('k'), secondsAfter(30))).toMatchObject({ tokenId: tokenId('k', 'first'), nonce: nonce('first') });
  });

  it('the same key with another request: 422 idempotency_key_reused, whatever became of the token', () => {
    const error = spec.given([granted(), issued('k', 'first')]).when(issue('k', 'retry', { body: 'other' }), now(30)).thenThrows('idempotency_key_reused', 'unprocessable');
    expect(error.message).toBe('This Idempotency-Key was used with a different request');
    spec
      .given([granted(), issued('k', 'first'), revoked('k', 'first', 10)])
      .when(issue('k', 'retry', { body: 'other' }), now(30))
      .thenThrows('idempotency_key_reused', 'unprocessable');
  });

  describe('a retry whose token is dead: 409 token_no_longer_active, nothing appended', () => {
    it('revoked by RevokeToken', () => {
      const error = spec.given([granted(), issued('k', 'first'), revoked('k', 'first', 10)]).when(issue('k', 'retry'), now(30)).thenThrows('token_no_longer_active', 'conflict');
      expect(error.details).toEqual({ tokenId: tokenId('k', 'first') });
      expect(error.message).toBe('The token issued for this Idempotency-Key has been revoked or has expired; it is never issued again');
    });

    it('expired, still in the state', () => {
      spec.given([granted(), issued('k', 'first', 0, { expiresIn: 2 })]).when(issue('k', 'retry', { expiresIn: 2 }), now(3)).thenThrows('token_no_longer_active');
    });

    it('expiring at the very instant of the retry (expiry is exclusive)', () => {
      spec.given([granted(), issued('k', 'first', 0, { expiresIn: 2 })]).when(issue('k', 'retry', { expiresIn: 2 }), now(2)).thenThrows('token_no_longer_active');
    });

    it('revoked, expired, and then dropped from the state by a later issue (the reported bug)', () => {
      // Enough later issues that the state prunes (it does so once its token map has doubled, from 64 entries).
      const later = Array.from({ length: 64 }, (_, i) => plainIssued(`other-${i}`, 3));
      const history = [granted(), issued('k', 'first', 0, { expiresIn: 2 }), revoked('k', 'first', 1), ...later];
      const state = stateAfter(consentDecider, history);
      expect(state.status !== 'none' && state.tokens.has(tokenId('k', 'first'))).toBe(false);
      spec.given(history).when(issue('k', 'retry', { expiresIn: 2 }), now(4)).thenThrows('token_no_longer_active');
    });

    it('expired and dropped without a revocation', () => {
      spec.given([granted(), issued('k', 'first', 0, { expiresIn: 2 }), plainIssued('other', 3)]).when(issue('k', 'retry', { expiresIn: 2 }), now(4)).thenThrows('token_no_longer_active');
    });

    it('ended by a partial revocation of a scope it carried', () => {
      const partial: ConsentScopesRevoked = {
        type: 'ConsentScopesRevoked',
        data: { ...ref(), revokedScopes: ['openid'], remainingScopes: ['email'], endedTokens: ended('k', 'first'), revokedAt: at(10), reason: null },
      };
      spec.given([granted(), issued('k', 'first'), partial]).when(issue('k', 'retry'), now(30)).thenThrows('token_no_longer_active');
    });

    it('ended with the whole consent, also once a new generation has been granted', () => {
      const full: ConsentRevoked = { type: 'ConsentRevoked', data: { ...ref(), revokedScopes: ['openid'], endedTokens: ended('k', 'first'), revokedAt: at(10), reason: null } };
      spec.given([granted(), issued('k', 'first'), full]).when(issue('k', 'retry'), now(30)).thenThrows('token_no_longer_active');
      spec.given([granted(), issued('k', 'first'), full, granted(2, 20)]).when(issue('k', 'retry'), now(30)).thenThrows('token_no_longer_active');
    });
  });

  describe('after the window', () => {
    it('the same key is a new request: a new token from the new nonce, never the old id again', () => {
      const history = [granted(), issued('k', 'first', 0, { window: 60, expiresIn: 3600 })];
      const [event] = spec.given(history).when(issue('k', 'later', { window: 60, expiresIn: 3600 }), now(60)).events() as TokenIssued[];
      expect(event).toEqual(issued('k', 'later', 60, { window: 60, expiresIn: 3600 }));
      expect(event.data.tokenId).not.toBe(tokenId('k', 'first'));
    });

    it('also after the first token was revoked, and with another body: the key is free again', () => {
      const history = [granted(), issued('k', 'first', 0, { window: 60 }), revoked('k', 'first', 10)];
      spec.given(history).when(issue('k', 'later', { window: 60, body: 'other' }), now(61)).then([issued('k', 'later', 61, { window: 60, body: 'other' })]);
    });

    it('closed windows are dropped from the state now and then, as expired tokens are', () => {
      // The 65th issue finds 64 windows and prunes the closed one before it adds its own.
      const later = Array.from({ length: 64 }, (_, i) => issued(`j${i}`, 'first', 61));
      const state = stateAfter(consentDecider, [granted(), issued('k', 'first', 0, { window: 60 }), ...later]);
      expect(state.status !== 'none' && state.idempotentIssues.has(keyHash('k'))).toBe(false);
      expect(state.status !== 'none' && state.idempotentIssues.size).toBe(64);
    });
  });

  describe('the retry windows in the state', () => {
    const windowsOf = (state: ConsentState) => (state.status === 'none' ? new Map() : state.idempotentIssues);

    it('a TokenIssued adds its window to the map in place, as it does its token: no copy per issue', () => {
      const before = stateAfter(consentDecider, [granted(), issued('k', 'first')]);
      const windows = windowsOf(before);
      const after = consentDecider.evolve(before, issued('j', 'first', 5));
      expect(windowsOf(after)).toBe(windows);
      expect([...windows.keys()]).toEqual([keyHash('k'), keyHash('j')]);
    });

    it('a new generation starts from a map of its own, holding only the windows still open at its grant', () => {
      const full: ConsentRevoked = { type: 'ConsentRevoked', data: { ...ref(), revokedScopes: ['openid'], tokensEnded: 2, revokedAt: at(30), reason: null } };
      const before = stateAfter(consentDecider, [granted(), issued('closing', 'first', 0, { window: 60 }), issued('open', 'first', 0, { window: 61 }), full]);
      const windows = windowsOf(before);
      const after = consentDecider.evolve(before, granted(2, 60));
      // The window that ends at the instant of the grant is closed then (the end is exclusive).
      expect([...windowsOf(after).keys()]).toEqual([keyHash('open')]);
      expect(windowsOf(after)).not.toBe(windows);
    });
  });

  it('keys are independent: another key is another token', () => {
    spec.given([granted(), issued('k', 'first')]).when(issue('j', 'first'), now(5)).then([issued('j', 'first', 5)]);
  });

  it('a token issued before keys were recorded (no idempotency field) opens no window: the key issues a new token', () => {
    spec.given([granted(), plainIssued('k', 0)]).when(issue('k', 'first'), now(5)).then([issued('k', 'first', 5)]);
  });

  it('the consent checks still apply to a first request', () => {
    const full: ConsentRevoked = { type: 'ConsentRevoked', data: { ...ref(), revokedScopes: ['openid'], endedTokens: [], revokedAt: at(-10), reason: null } };
    spec.given([granted(), full]).when(issue('k', 'first')).thenThrows('consent_not_active', 'conflict');
    spec.given([]).when(issue('k', 'first')).thenThrows('consent_not_found', 'not_found');
  });

  it.each<[string, Partial<NonNullable<IssueToken['data']['idempotency']>>, string]>([
    ['a raw key instead of its hash', { keyHash: 'order-1234' }, HEX_RULE],
    ['a key hash with trailing text', { keyHash: `${keyHash('k')}0` }, HEX_RULE],
    ['a fingerprint with leading text', { fingerprint: `0${fingerprint('body')}` }, HEX_RULE],
    ['a short nonce', { nonce: 'abc' }, HEX_RULE],
    ['a nonce with trailing text', { nonce: `${nonce('first')}0` }, HEX_RULE],
    ['a nonce with leading text', { nonce: `0${nonce('first')}` }, HEX_RULE],
    ['a window of zero', { windowSeconds: 0 }, WINDOW_RULE],
    ['a fractional window', { windowSeconds: 1.5 }, WINDOW_RULE],
  ])('%s is refused as a programming error', (_label, override, rule) => {
    const command = issue('k', 'first');
    command.data.idempotency = { ...command.data.idempotency!, ...override };
    let thrown: unknown;
    try {
      spec.given([granted()]).when(command).events();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(DomainError);
    expect((thrown as Error).message).toBe(rule);
  });

  it('a window of one second is the shortest accepted', () => {
    const [event] = spec.given([granted()]).when(issue('k', 'first', { window: 1 })).events() as TokenIssued[];
    expect(event.data.idempotency?.until).toBe(at(1));
  });
});
