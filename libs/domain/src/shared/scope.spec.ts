import { DomainError } from './domain-error';
import { difference, intersection, isValidScope, MAX_SCOPE_LENGTH, MAX_SCOPES, normaliseScopes, scopeString } from './scope';

/** The DomainError a function throws, or a failure if it throws something else or nothing. */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('scopes', () => {
  describe('isValidScope: a scope is a URN or a simple name, compared as an exact string', () => {
    it.each([
      'urn:globus:auth:scope:transfer.api.globus.org:all',
      'urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:example:a123,z456',
      'urn:example:weather:forecast(daily)',
      'urn:isbn:0451450523',
    ])('accepts the URN %s', (scope) => {
      expect(isValidScope(scope)).toBe(true);
    });

    it.each(['openid', 'email', 'profile', 'offline_access', 'read.all', 'write-files', 'A1'])('accepts the simple name %s', (scope) => {
      expect(isValidScope(scope)).toBe(true);
    });

    it.each([
      ['the empty string', ''],
      ['a lone space', ' '],
      ['two words', 'a b'],
      ['a leading space', ' openid'],
      ['a trailing space', 'openid '],
      ['a tab', 'openid\temail'],
      ['a bare urn prefix', 'urn:'],
      ['a URN without a namespace id', 'urn::x'],
      ['a URN with a namespace id but no specific string', 'urn:globus'],
      ['a URN with an empty specific string', 'urn:globus:'],
      ['a URN with a trailing colon', 'urn:globus:auth:scope:'],
      ['a URN whose namespace id starts with a hyphen', 'urn:-globus:x'],
      ['a URN whose namespace id is longer than 32 characters', `urn:${'n'.repeat(33)}:x`],
      ['a URN containing a space', 'urn:globus:auth scope'],
      ['an upper-case URN prefix (would be a second spelling of the same URN)', 'URN:globus:auth:scope:x'],
      ['an upper-case URN prefix before a well-formed URN', 'URN:x:urn:globus:auth'],
      ['a simple name starting with a digit', '1openid'],
      ['a simple name starting with an underscore', '_openid'],
      ['a simple name with a colon that is not a URN', 'api:read'],
      ['a simple name with a slash', 'files/read'],
      ['unicode letters in a simple name', 'émail'],
      ['unicode letters in a URN', 'urn:globus:auth:scope:transfer.api.globus.org:tüt'],
      ['an emoji', 'openid🔑'],
      ['a simple name longer than 64 characters', `a${'b'.repeat(64)}`],
      ['a URN longer than the maximum scope length', `urn:globus:${'x'.repeat(MAX_SCOPE_LENGTH)}`],
    ])('rejects %s', (_label, scope) => {
      expect(isValidScope(scope)).toBe(false);
    });

    it('accepts a simple name of exactly 64 characters', () => {
      expect(isValidScope(`a${'b'.repeat(63)}`)).toBe(true);
    });

    it(`accepts a URN of exactly ${MAX_SCOPE_LENGTH} characters and rejects one character more`, () => {
      const prefix = 'urn:globus:';
      const atLimit = prefix + 'x'.repeat(MAX_SCOPE_LENGTH - prefix.length);
      expect(atLimit).toHaveLength(MAX_SCOPE_LENGTH);
      expect(isValidScope(atLimit)).toBe(true);
      expect(isValidScope(`${atLimit}x`)).toBe(false);
    });

    it('rejects values that are not strings at all (untyped JSON input)', () => {
      expect(isValidScope(undefined as unknown as string)).toBe(false);
      expect(isValidScope(42 as unknown as string)).toBe(false);
      expect(isValidScope(null as unknown as string)).toBe(false);
    });
  });

  describe('normaliseScopes: validate, de-duplicate, sort', () => {
    it('sorts, so that equal sets of scopes are equal arrays', () => {
      expect(normaliseScopes(['openid', 'email', 'urn:globus:auth:scope:transfer.api.globus.org:all'])).toEqual([
        'email',
        'openid',
        'urn:globus:auth:scope:transfer.api.globus.org:all',
      ]);
      expect(normaliseScopes(['b', 'a'])).toEqual(normaliseScopes(['a', 'b']));
    });

    it('removes duplicates', () => {
      expect(normaliseScopes(['email', 'openid', 'email', 'openid', 'email'])).toEqual(['email', 'openid']);
    });

    it('is case-sensitive: differently cased names are different scopes', () => {
      expect(normaliseScopes(['Email', 'email'])).toEqual(['Email', 'email']);
    });

    it('does not change its input', () => {
      const input = ['openid', 'email', 'openid'];
      normaliseScopes(input);
      expect(input).toEqual(['openid', 'email', 'openid']);
    });

    it('refuses an empty list with invalid_scope', () => {
      const error = domainErrorOf(() => normaliseScopes([]));
      expect(error.code).toBe('invalid_scope');
      expect(error.category).toBe('validation');
      expect(error.message).toBe('scopes must name at least one scope');
    });

    it('refuses something that is not a list', () => {
      expect(domainErrorOf(() => normaliseScopes('openid email' as unknown as string[])).code).toBe('invalid_scope');
    });

    it('names the field in the message', () => {
      expect(domainErrorOf(() => normaliseScopes([], 'allowedScopes')).message).toContain('allowedScopes');
    });

    it(`accepts ${MAX_SCOPES} scopes and refuses ${MAX_SCOPES + 1}`, () => {
      const scopes = Array.from({ length: MAX_SCOPES + 1 }, (_, i) => `scope${String(i).padStart(2, '0')}`);
      expect(normaliseScopes(scopes.slice(0, MAX_SCOPES))).toHaveLength(MAX_SCOPES);
      expect(domainErrorOf(() => normaliseScopes(scopes)).code).toBe('invalid_scope');
      expect(domainErrorOf(() => normaliseScopes(scopes, 'allowedScopes')).message).toBe(`allowedScopes may name at most ${MAX_SCOPES} scopes`);
    });

    it('counts the list as sent, before de-duplication, against the limit', () => {
      // Documents current behaviour: the limit bounds the request, not the resulting set.
      const repeated = Array.from({ length: MAX_SCOPES + 1 }, () => 'openid');
      expect(domainErrorOf(() => normaliseScopes(repeated)).code).toBe('invalid_scope');
    });

    it('refuses the whole list if any scope is malformed, and lists the malformed ones', () => {
      const error = domainErrorOf(() => normaliseScopes(['openid', 'a b', 'email', 'urn:']));
      expect(error.code).toBe('invalid_scope');
      expect(error.details).toEqual({ invalid: ['a b', 'urn:'] });
      expect(error.message).toBe('Malformed scope: "a b", "urn:"');
    });
  });

  describe('set helpers', () => {
    it('scopeString joins with spaces (RFC 6749 section 3.3)', () => {
      expect(scopeString(['email', 'openid'])).toBe('email openid');
    });

    it('difference keeps what is in a but not in b, in the order of a', () => {
      expect(difference(['a', 'b', 'c'], ['b', 'x'])).toEqual(['a', 'c']);
    });

    it('intersection keeps what is in both, in the order of a', () => {
      expect(intersection(['c', 'b', 'a'], ['a', 'c', 'x'])).toEqual(['c', 'a']);
    });
  });
});
