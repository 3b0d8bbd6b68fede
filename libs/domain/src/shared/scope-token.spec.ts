import { mulberry32 } from '../testing/mulberry32';
import { isValidScope, MAX_SCOPE_LENGTH, SCOPE_TOKEN_PATTERN, scopeTokenRule } from './scope-token';

const UUID = '5fac2e64-c734-4e6b-90ea-ff12ddbf9653';

describe('scope-tokens (RFC 6749 section 3.3, without the brackets and the leading star of dependent scopes)', () => {
  it.each([
    'openid',
    'email',
    'photos:read',
    'read:user',
    'repo:status',
    `https://auth.globus.org/scopes/${UUID}/data_access`,
    'https://www.googleapis.com/auth/drive',
    'https://www.googleapis.com/auth/drive.readonly',
    'api://app/.default',
    'urn:globus:auth:scope:transfer.api.globus.org:all',
    'URN:globus:auth:scope:transfer.api.globus.org:all',
    'urn:',
    '1openid',
    '_openid',
    'files/read',
    'read:*',
    'a*',
    '!',
    '~',
    "#$%&'()+,-./0-9:;<=>?@A-Z^_`a-z{|}~",
  ])('accepts %s', (scope) => {
    expect(scopeTokenRule(scope)).toBeUndefined();
    expect(isValidScope(scope)).toBe(true);
  });

  it.each([
    ['the empty string', '', 'RFC 6749 section 3.3: a scope-token has at least one character'],
    ['a lone space', ' ', 'RFC 6749 section 3.3: a scope-token has no space'],
    ['two words', 'a b', 'RFC 6749 section 3.3: a scope-token has no space'],
    ['a leading space', ' openid', 'RFC 6749 section 3.3: a scope-token has no space'],
    ['a trailing space', 'openid ', 'RFC 6749 section 3.3: a scope-token has no space'],
    ['a double quote', 'say"hi', `RFC 6749 section 3.3: a scope-token has no '"' or '\\'`],
    ['a backslash', 'a\\b', `RFC 6749 section 3.3: a scope-token has no '"' or '\\'`],
    ['a tab', 'openid\temail', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+0009'],
    ['a newline', 'openid\n', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+000A'],
    ['DEL', 'openid\x7f', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+007F'],
    ['a NUL', '\0', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+0000'],
    ['a non-ASCII letter', 'émail', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+00E9'],
    ['an emoji', 'openid🔑', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+1F511'],
    ['a bracket (dependencies are a grant\'s)', 'a[b]', "the dependent-scope grammar: '[' and ']' hold a scope's dependencies (scope[dependency ...]), which only a grant takes"],
    ['a lone closing bracket', 'a]', "the dependent-scope grammar: '[' and ']' hold a scope's dependencies (scope[dependency ...]), which only a grant takes"],
    ['a leading star', '*openid', "the dependent-scope grammar: '*' marks an optional dependency and does not start a scope-token"],
    ['a token one character over the limit', 'a'.repeat(MAX_SCOPE_LENGTH + 1), "the ledger's limits: a scope-token has at most 256 characters"],
  ])('refuses %s, naming the rule', (_label, scope, rule) => {
    expect(scopeTokenRule(scope)).toBe(rule);
    expect(isValidScope(scope)).toBe(false);
  });

  it(`accepts exactly ${MAX_SCOPE_LENGTH} characters`, () => {
    expect(scopeTokenRule('a'.repeat(MAX_SCOPE_LENGTH))).toBeUndefined();
  });

  it('checks the length before it reads the characters', () => {
    expect(scopeTokenRule(' '.repeat(MAX_SCOPE_LENGTH + 1))).toBe("the ledger's limits: a scope-token has at most 256 characters");
  });

  it('names the first rule broken, reading from the left', () => {
    expect(scopeTokenRule('a"b c')).toBe(`RFC 6749 section 3.3: a scope-token has no '"' or '\\'`);
    expect(scopeTokenRule('*a b')).toBe('RFC 6749 section 3.3: a scope-token has no space');
    expect(scopeTokenRule('a[é')).toContain("'[' and ']'");
  });

  it('refuses values that are not strings at all (untyped JSON input)', () => {
    for (const value of [undefined, null, 42, ['openid'], { scope: 'openid' }]) {
      expect(scopeTokenRule(value)).toBe('RFC 6749 section 3.3: a scope-token is a string');
    }
  });

  describe('SCOPE_TOKEN_PATTERN, for the OpenAPI document', () => {
    const pattern = new RegExp(SCOPE_TOKEN_PATTERN);

    it('agrees with scopeTokenRule on every printable ASCII character, first and later, and at the length limit', () => {
      for (let code = 0; code < 0x80; code++) {
        const c = String.fromCharCode(code);
        for (const s of [c, `a${c}`, `a${c}b`]) expect({ s, pattern: pattern.test(s) }).toEqual({ s, pattern: isValidScope(s) });
      }
      for (const s of ['', 'a'.repeat(MAX_SCOPE_LENGTH), 'a'.repeat(MAX_SCOPE_LENGTH + 1), 'é', '🔑']) expect({ s, pattern: pattern.test(s) }).toEqual({ s, pattern: isValidScope(s) });
    });

    it('agrees with scopeTokenRule on random strings', () => {
      const random = mulberry32(20260101);
      const alphabet = ' !"#*[\\]^~az:/\t\x7fé';
      for (let i = 0; i < 5000; i++) {
        const s = Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
        expect({ s, pattern: pattern.test(s) }).toEqual({ s, pattern: isValidScope(s) });
      }
    });
  });
});
