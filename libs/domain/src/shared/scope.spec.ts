import { DomainError } from './domain-error';
import { difference, intersection, MAX_SCOPES, normaliseGrantedScopes, normaliseScopes, scopeListRefusal, scopeString } from './scope';
import { MAX_SCOPE_STRING_LENGTH } from './scope-string';

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

    it('refuses the whole list if any scope is malformed, and names each with its place and the rule it breaks', () => {
      const error = domainErrorOf(() => normaliseScopes(['openid', 'a b', 'email', 'say"hi']));
      expect(error.code).toBe('invalid_scope');
      expect(error.category).toBe('validation');
      expect(error.details).toEqual({ invalid: ['a b', 'say"hi'] });
      expect(error.message).toBe(
        `scopes[1] "a b" breaks RFC 6749 section 3.3: a scope-token has no space; scopes[3] "say\\"hi" breaks RFC 6749 section 3.3: a scope-token has no '"' or '\\'`,
      );
    });

    it('takes scope-tokens only: a dependency list belongs to a grant', () => {
      const error = domainErrorOf(() => normaliseScopes(['openid', 'a[b]'], 'allowedScopes'));
      expect(error.message).toBe(`allowedScopes[1] "a[b]" breaks the dependent-scope grammar: '[' and ']' hold a scope's dependencies (scope[dependency ...]), which only a grant takes`);
    });

    it('takes the real-world scopes that RFC 6749 allows', () => {
      const scopes = ['photos:read', 'read:user', 'api://app/.default', 'https://www.googleapis.com/auth/drive', 'https://auth.globus.org/scopes/5fac2e64-c734-4e6b-90ea-ff12ddbf9653/data_access'];
      expect(normaliseScopes(scopes)).toEqual([...scopes].sort());
    });
  });

  describe('scopeListRefusal: the one check, for the request DTOs and the deciders', () => {
    it('says nothing of a well-formed list', () => {
      expect(scopeListRefusal(['openid', 'a[b *c]'], { dependencies: true })).toBeUndefined();
      expect(scopeListRefusal(['openid'])).toBeUndefined();
    });

    it('names the value that failed, its index, and the rule it broke', () => {
      expect(scopeListRefusal(['openid', 'email', 'a b'])).toEqual({
        message: 'scopes[2] "a b" breaks RFC 6749 section 3.3: a scope-token has no space',
        invalid: ['a b'],
      });
    });

    it('parses scope-strings when dependencies are allowed, and says where one breaks the grammar', () => {
      expect(scopeListRefusal(['a[b', 'a[b]'], { dependencies: true })).toEqual({
        message: `scopes[0] "a[b" breaks the dependent-scope grammar: this '[' is never closed (at character 2)`,
        invalid: ['a[b'],
      });
    });

    it('names the field it is given', () => {
      expect(scopeListRefusal([' '], { field: 'allowedScopes' })?.message).toMatch(/^allowedScopes\[0\] " " breaks /);
    });

    it('quotes values that are not strings as JSON, and long ones cut short', () => {
      expect(scopeListRefusal([7, null])?.message).toBe(
        'scopes[0] 7 breaks RFC 6749 section 3.3: a scope-token is a string; scopes[1] null breaks RFC 6749 section 3.3: a scope-token is a string',
      );
      expect(scopeListRefusal([undefined])?.message).toBe('scopes[0] undefined breaks RFC 6749 section 3.3: a scope-token is a string');
      const long = `${'x'.repeat(100)} y`;
      expect(scopeListRefusal([long])?.message).toBe(`scopes[0] "${'x'.repeat(80)}..." breaks RFC 6749 section 3.3: a scope-token has no space`);
      expect(scopeListRefusal([`${'x'.repeat(79)} `])?.message).toBe(`scopes[0] "${'x'.repeat(79)} " breaks RFC 6749 section 3.3: a scope-token has no space`);
    });

    it('names the first five that failed, counts the rest, and lists them all in invalid', () => {
      const bad = Array.from({ length: 8 }, (_, i) => `bad ${i}`);
      const refusal = scopeListRefusal(bad)!;
      expect(refusal.message).toMatch(/^scopes\[0\] "bad 0" breaks .*; scopes\[4\] "bad 4" breaks [^;]*; and 3 more$/);
      expect(refusal.invalid).toEqual(bad);
      expect(scopeListRefusal(bad.slice(0, 5))!.message).not.toContain('more');
    });

    it('refuses a list that is not one, or is empty, or too long, without naming values', () => {
      expect(scopeListRefusal('openid')).toEqual({ message: 'scopes must name at least one scope' });
      expect(scopeListRefusal([])).toEqual({ message: 'scopes must name at least one scope' });
      expect(scopeListRefusal(Array.from({ length: MAX_SCOPES + 1 }, () => 'a'))).toEqual({ message: `scopes may name at most ${MAX_SCOPES} scopes` });
    });
  });

  describe('normaliseGrantedScopes: a grant keeps the top-level scope-tokens, and the trees beside them', () => {
    const TRANSFER = 'https://auth.globus.org/scopes/5fac2e64-c734-4e6b-90ea-ff12ddbf9653/transfer.api.globus.org:all';
    const COLLECTION = 'https://auth.globus.org/scopes/0b0a6f1e-8c8a-4d5f-a5a6-e2cd45e7a9a2/data_access';

    it('holds plain scopes as they are, with no dependencies', () => {
      expect(normaliseGrantedScopes(['openid', 'email', 'openid'])).toEqual({ scopes: ['email', 'openid'], dependencies: [] });
    });

    it("keeps a dependent scope's top-level scope-token as the scope, and its tree beside it", () => {
      expect(normaliseGrantedScopes(['openid', `${TRANSFER}[*${COLLECTION}]`])).toEqual({
        scopes: [TRANSFER, 'openid'],
        dependencies: [{ scope: TRANSFER, optional: false, dependencies: [{ scope: COLLECTION, optional: true, dependencies: [] }] }],
      });
    });

    it('merges the trees of a scope named more than once, and sorts them', () => {
      const { scopes, dependencies } = normaliseGrantedScopes(['b[y]', 'a', 'b[x]', 'b', 'a[z]']);
      expect(scopes).toEqual(['a', 'b']);
      expect(dependencies.map((t) => t.dependencies.map((d) => d.scope))).toEqual([['z'], ['x', 'y']]);
    });

    it('refuses like every list, with invalid_scope naming the value and the rule', () => {
      const error = domainErrorOf(() => normaliseGrantedScopes(['openid', 'a[]']));
      expect(error.code).toBe('invalid_scope');
      expect(error.details).toEqual({ invalid: ['a[]'] });
      expect(error.message).toBe(`scopes[1] "a[]" breaks the dependent-scope grammar: '[]' is empty; a list of dependencies names at least one scope (at character 2)`);
      expect(domainErrorOf(() => normaliseGrantedScopes([`a[${'b'.repeat(MAX_SCOPE_STRING_LENGTH)}]`])).message).toContain('at most 1024 characters');
      expect(domainErrorOf(() => normaliseGrantedScopes([])).message).toBe('scopes must name at least one scope');
    });
  });

  describe('set helpers', () => {
    it('scopeString joins scope-tokens with spaces (RFC 6749 section 3.3)', () => {
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
