import { DomainError } from '../shared/domain-error';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, ConsentScopesExtended, ConsentScopesRevoked, TokenIssued, TokenRevoked } from './consent';
import { consentDecider } from './consent.decider';
import { DEFAULT_TOKEN_LIFETIME_S, IssueToken, MAX_TOKEN_LIFETIME_S } from './issue-token';

const USER = 'alice';
const CLIENT = 'transfer-app';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
/** The parsed id a command carries, as the edge hands it on. */
const consent = (generation = 1) => parseConsentId(consentId(generation))!;
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const tokenHash = (name: string) => hashToken(`raw-${name}`);

const granted = (scopes: string[], generation = 1, seconds = -7200): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(seconds) },
});
const extended = (addedScopes: string[], scopes: string[]): ConsentScopesExtended => ({
  type: 'ConsentScopesExtended',
  data: { ...ref(1), addedScopes, scopes, extendedAt: at(-3600) },
});
const scopesRevoked = (revokedScopes: string[], remainingScopes: string[]): ConsentScopesRevoked => ({
  type: 'ConsentScopesRevoked',
  data: { ...ref(1), revokedScopes, remainingScopes, endedTokens: [], revokedAt: at(-1800), reason: null },
});
const revokedInFull = (scopes: string[], generation = 1): ConsentRevoked => ({
  type: 'ConsentRevoked',
  data: { ...ref(generation), revokedScopes: scopes, endedTokens: [], revokedAt: at(-3600), reason: null },
});
const tokenRevoked = (name: string): TokenRevoked => ({
  type: 'TokenRevoked',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: tokenHash(name), revokedAt: at(-60), reason: null },
});

const issue = (name: string, data: Partial<IssueToken['data']> = {}, client = clientState()): IssueToken => ({
  type: 'IssueToken',
  data: { consent: consent(1), tokenId: tokenId(name), tokenHash: tokenHash(name), ...data },
  context: { client },
});

/** The TokenIssued that IssueToken(name) at FIXED_NOW produces. */
const issuedNow = (name: string, scopes: string[], expiresIn = DEFAULT_TOKEN_LIFETIME_S, generation = 1): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(generation), tokenId: tokenId(name), tokenHash: tokenHash(name), scopes, issuedAt: at(0), expiresAt: at(expiresIn) },
});

describe('IssueToken', () => {
  const spec = DeciderSpecification.for(consentDecider);
  const consented: ConsentEvent[] = [granted(['email', 'openid', TRANSFER])];

  describe('scopes', () => {
    it('defaults to every consented scope', () => {
      spec.given(consented).when(issue('t1')).then([issuedNow('t1', ['email', 'openid', TRANSFER])]);
    });

    it('may be a subset of the consent, normalised', () => {
      spec
        .given(consented)
        .when(issue('t1', { scopes: [TRANSFER, 'openid', TRANSFER] }))
        .then([issuedNow('t1', ['openid', TRANSFER])]);
    });

    it('may not go beyond the consent: scope_not_consented, naming the extra scopes', () => {
      const error = spec
        .given(consented)
        .when(issue('t1', { scopes: ['openid', 'profile', 'urn:example:admin'] }))
        .thenThrows('scope_not_consented', 'validation');
      expect(error.details).toEqual({ scopes: ['profile', 'urn:example:admin'] });
    });

    it('may include scopes added by a later grant', () => {
      spec
        .given([...consented, extended(['profile'], ['email', 'openid', 'profile', TRANSFER])])
        .when(issue('t1', { scopes: ['profile'] }))
        .then([issuedNow('t1', ['profile'])]);
    });

    it('after a partial revocation, may not include the revoked scope', () => {
      spec
        .given([...consented, scopesRevoked([TRANSFER], ['email', 'openid'])])
        .when(issue('t1', { scopes: ['openid', TRANSFER] }))
        .thenThrows('scope_not_consented');
    });

    it('after a partial revocation, defaults to the remaining scopes', () => {
      spec
        .given([...consented, scopesRevoked([TRANSFER], ['email', 'openid'])])
        .when(issue('t1'))
        .then([issuedNow('t1', ['email', 'openid'])]);
    });

    it('must be well-formed and not empty: invalid_scope', () => {
      spec.given(consented).when(issue('t1', { scopes: ['open id'] })).thenThrows('invalid_scope');
      spec.given(consented).when(issue('t1', { scopes: [] })).thenThrows('invalid_scope');
      // A token carries scope-tokens; dependencies are recorded with the grant, never carried.
      spec.given(consented).when(issue('t1', { scopes: ['openid[email]'] })).thenThrows('invalid_scope');
    });
  });

  describe('lifetime', () => {
    it(`defaults to ${DEFAULT_TOKEN_LIFETIME_S} s: expiresAt = now + expiresIn`, () => {
      spec.given(consented).when(issue('t1', { scopes: ['openid'] })).then([issuedNow('t1', ['openid'], DEFAULT_TOKEN_LIFETIME_S)]);
    });

    it.each([1, 60, MAX_TOKEN_LIFETIME_S])('is %d s when asked: expiresAt = now + expiresIn', (expiresIn) => {
      spec.given(consented).when(issue('t1', { scopes: ['openid'], expiresIn })).then([issuedNow('t1', ['openid'], expiresIn)]);
    });

    it('uses the time from the metadata, never the clock', () => {
      const now = new Date('2030-06-15T08:00:00.000Z');
      const [event] = spec.given(consented).when(issue('t1', { expiresIn: 90 }), { now }).events() as TokenIssued[];
      expect(event.data.issuedAt).toBe('2030-06-15T08:00:00.000Z');
      expect(event.data.expiresAt).toBe('2030-06-15T08:01:30.000Z');
    });

    it.each([0, -1, 1.5, MAX_TOKEN_LIFETIME_S + 1, Number.NaN, Number.POSITIVE_INFINITY])(
      'refuses expiresIn %p: invalid_expires_in',
      (expiresIn) => {
        spec.given(consented).when(issue('t1', { expiresIn })).thenThrows('invalid_expires_in', 'validation');
      },
    );
  });

  describe('the consent must be live', () => {
    it('a revoked consent: consent_not_active', () => {
      spec
        .given([...consented, revokedInFull(['email', 'openid', TRANSFER])])
        .when(issue('t1'))
        .thenThrows('consent_not_active', 'conflict');
    });

    it('an earlier generation, while a newer consent is active: consent_not_active', () => {
      spec
        .given([granted(['openid']), revokedInFull(['openid']), granted(['openid'], 2, -1000)])
        .when(issue('t1', { consent: consent(1) }))
        .thenThrows('consent_not_active', 'conflict');
    });

    it('the current generation after a re-grant works, with scopes of the new consent only', () => {
      const history = [granted(['openid', TRANSFER]), revokedInFull(['openid', TRANSFER]), granted(['openid'], 2, -1000)];
      spec.given(history).when(issue('t1', { consent: consent(2) })).then([issuedNow('t1', ['openid'], DEFAULT_TOKEN_LIFETIME_S, 2)]);
      spec.given(history).when(issue('t1', { consent: consent(2), scopes: [TRANSFER] })).thenThrows('scope_not_consented');
    });

    it('no consent yet: consent_not_found', () => {
      spec.given([]).when(issue('t1')).thenThrows('consent_not_found', 'not_found');
    });

    it('a generation not reached yet: consent_not_found', () => {
      spec.given(consented).when(issue('t1', { consent: consent(2) })).thenThrows('consent_not_found');
    });

    // A command carries a parsed ConsentId: a malformed id is refused at the edge and never reaches the decider.
    it('a malformed consent id cannot make a command', () => {
      expect(parseConsentId('cns_nope_1')).toBeUndefined();
    });

    it("another pair's consent id: consent_not_found", () => {
      spec.given(consented).when(issue('t1', { consent: parseConsentId(consentIdFor(pairKey('mallory', CLIENT), 1))! })).thenThrows('consent_not_found');
    });

    it("another pair's consent id, of a generation this stream has: consent_not_found, naming the id", () => {
      const other = consentIdFor(pairKey('bob', CLIENT), 1);
      const error = spec.given(consented).when(issue('t1', { consent: parseConsentId(other)! })).thenThrows('consent_not_found', 'not_found');
      expect(error.message).toBe(`Consent ${other} does not exist`);
    });

    it('says which consent was revoked', () => {
      const error = spec
        .given([...consented, revokedInFull(['email', 'openid', TRANSFER])])
        .when(issue('t1'))
        .thenThrows('consent_not_active');
      expect(error.message).toBe(`Consent ${consentId(1)} has been revoked`);
    });
  });

  describe('messages name what was wrong', () => {
    it('scope_not_consented lists the extra scopes', () => {
      const error = spec.given(consented).when(issue('t1', { scopes: ['openid', 'profile', 'urn:example:admin'] })).thenThrows('scope_not_consented');
      expect(error.message).toBe(`Consent ${consentId(1)} does not grant: profile urn:example:admin`);
    });

    it('invalid_expires_in names the range', () => {
      const error = spec.given(consented).when(issue('t1', { expiresIn: 0 })).thenThrows('invalid_expires_in');
      expect(error.message).toBe(`expiresIn must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_S}`);
    });
  });

  describe('token ids', () => {
    // Retries are recognised by their Idempotency-Key (issue-token.idempotency.spec.ts), never by a token id: ids
    // are random, so a known one means the handler reused it, and the decider refuses rather than answer with a
    // token that may since have been revoked.
    it.each<[string, ConsentEvent[]]>([
      ['a live token', [issuedNow('t1', ['openid'])]],
      ['a revoked token', [issuedNow('t1', ['openid']), tokenRevoked('t1')]],
    ])('an id the state knows (%s) is refused as a programming error, and nothing is appended', (_label, history) => {
      let thrown: unknown;
      try {
        spec.given([...consented, ...history]).when(issue('t1', { scopes: ['openid'] })).events();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(DomainError);
      expect((thrown as Error).message).toBe(`IssueToken with a token id that was already issued: ${tokenId('t1')}`);
    });

    it('a new token id is a new token', () => {
      spec
        .given([...consented, issuedNow('t1', ['openid'])])
        .when(issue('t2', { scopes: ['openid'] }))
        .then([issuedNow('t2', ['openid'])]);
    });
  });

  describe('token id and hash come from the handler', () => {
    // Not a DomainError on purpose: the handler mints both, so a bad value is a programming error, not bad input.
    it.each<[string, Partial<IssueToken['data']>]>([
      ['a malformed token id', { tokenId: 'tok_123' }],
      ['a token id with trailing text', { tokenId: `${tokenId('t1')}junk` }],
      ['a token id with leading text', { tokenId: `x${tokenId('t1')}` }],
      ['a raw token instead of its hash', { tokenHash: 'raw-secret' }],
      ['an upper-case hash', { tokenHash: hashToken('x').toUpperCase() }],
      ['a hash with trailing text', { tokenHash: `${hashToken('x')}0` }],
      ['a hash with leading text', { tokenHash: `0${hashToken('x')}` }],
    ])('%s is refused as a programming error', (_label, data) => {
      let thrown: unknown;
      try {
        spec.given(consented).when(issue('t1', data)).events();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(DomainError);
      expect((thrown as Error).message).toBe('IssueToken needs a token id and a SHA-256 hex hash');
    });
  });
});
