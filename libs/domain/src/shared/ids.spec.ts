import {
  CLIENT_ID_PATTERN,
  clientStream,
  consentIdFor,
  consentStreamFor,
  consentStreamForPair,
  DOMAIN_STREAM_PREFIXES,
  hashToken,
  isDomainStream,
  LEDGER_WIDE_STREAM,
  pairKey,
  scopeStream,
  parseConsentId,
  TOKEN_ID_PATTERN,
  USER_ID_PATTERN,
  userStream,
} from './ids';

describe('ids and stream names', () => {
  describe('pairKey: one stream per (user, client) pair', () => {
    it('is 32 lower-case hex characters', () => {
      expect(pairKey('alice', 'transfer-app')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('is stable: the same pair always gives the same key (a fixed value, so a change of algorithm is noticed)', () => {
      expect(pairKey('alice', 'transfer-app')).toBe(pairKey('alice', 'transfer-app'));
      // sha256("alice\0transfer-app"), first 32 hex characters
      expect(pairKey('alice', 'transfer-app')).toBe('f4bc62ccd885201fb997dea39d17ec5e');
    });

    it('differs per user and per client, and the order of the two matters', () => {
      const key = pairKey('alice', 'transfer-app');
      expect(pairKey('bob', 'transfer-app')).not.toBe(key);
      expect(pairKey('alice', 'other-app')).not.toBe(key);
      expect(pairKey('transfer-app', 'alice')).not.toBe(key);
    });

    it('keeps user and client apart, so moving characters across the boundary gives another key', () => {
      expect(pairKey('ab', 'c')).not.toBe(pairKey('a', 'bc'));
    });

    it('names the consent stream', () => {
      const key = pairKey('alice', 'transfer-app');
      expect(consentStreamForPair(key)).toBe(`consent-${key}`);
      expect(consentStreamFor('alice', 'transfer-app')).toBe(`consent-${key}`);
    });
  });

  describe('consent ids carry the pair key and the generation', () => {
    const key = pairKey('alice', 'transfer-app');

    it('are built as cns_<pairKey>_<generation>', () => {
      expect(consentIdFor(key, 1)).toBe(`cns_${key}_1`);
    });

    it.each([1, 2, 10, 999_999_999])('round-trip through parseConsentId (generation %d)', (generation) => {
      expect(parseConsentId(consentIdFor(key, generation))).toEqual({
        id: consentIdFor(key, generation),
        pairKey: key,
        generation,
        stream: consentStreamFor('alice', 'transfer-app'),
      });
    });

    it.each([
      ['the empty string', ''],
      ['no prefix', `${key}_1`],
      ['another prefix', `tok_${key}_1`],
      ['generation 0', `cns_${key}_0`],
      ['a leading zero', `cns_${key}_01`],
      ['a negative generation', `cns_${key}_-1`],
      ['no generation', `cns_${key}_`],
      ['a generation with ten digits', `cns_${key}_1000000000`],
      ['an upper-case pair key', `cns_${key.toUpperCase()}_1`],
      ['a short pair key', `cns_${key.slice(1)}_1`],
      ['a long pair key', `cns_${key}0_1`],
      ['trailing text', `cns_${key}_1 `],
      ['a consent id inside other text', `x cns_${key}_1`],
    ])('are rejected when malformed: %s', (_label, id) => {
      expect(parseConsentId(id)).toBeUndefined();
    });
  });

  describe('hashToken: the only form a raw token is stored in', () => {
    it('is the SHA-256 of the raw token, in lower-case hex', () => {
      // FIPS 180-2 test vectors
      expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });

    it('is 64 hex characters and differs for different tokens', () => {
      expect(hashToken('secret-1')).toMatch(/^[0-9a-f]{64}$/);
      expect(hashToken('secret-1')).not.toBe(hashToken('secret-2'));
    });
  });

  describe('id patterns', () => {
    it('client ids: 1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit', () => {
      expect(CLIENT_ID_PATTERN.test('transfer-app')).toBe(true);
      expect(CLIENT_ID_PATTERN.test('org.example:app_1')).toBe(true);
      expect(CLIENT_ID_PATTERN.test('a'.repeat(128))).toBe(true);
      expect(CLIENT_ID_PATTERN.test('a'.repeat(129))).toBe(false);
      expect(CLIENT_ID_PATTERN.test('')).toBe(false);
      expect(CLIENT_ID_PATTERN.test('-app')).toBe(false);
      expect(CLIENT_ID_PATTERN.test('my app')).toBe(false);
      expect(CLIENT_ID_PATTERN.test('app@example')).toBe(false);
    });

    it('user ids also allow @ and +, so e-mail addresses work', () => {
      expect(USER_ID_PATTERN.test('alice+test@example.org')).toBe(true);
      expect(USER_ID_PATTERN.test('@alice')).toBe(false);
      expect(USER_ID_PATTERN.test('alice\u0000bob')).toBe(false);
    });

    it('token ids are tok_ and 32 lower-case hex characters', () => {
      expect(TOKEN_ID_PATTERN.test(`tok_${'a1'.repeat(16)}`)).toBe(true);
      expect(TOKEN_ID_PATTERN.test(`tok_${'A1'.repeat(16)}`)).toBe(false);
      expect(TOKEN_ID_PATTERN.test(`tok_${'a1'.repeat(15)}`)).toBe(false);
      expect(TOKEN_ID_PATTERN.test(`tok_${'a1'.repeat(16)}junk`)).toBe(false);
      expect(TOKEN_ID_PATTERN.test(`xtok_${'a1'.repeat(16)}`)).toBe(false);
    });

    it('client streams are client-<clientId>', () => {
      expect(clientStream('transfer-app')).toBe('client-transfer-app');
    });
  });

  it('isDomainStream: the client, consent, user, scope and global streams, and not the infrastructure\'s', () => {
    for (const stream of [clientStream('app'), consentStreamFor('alice', 'app'), userStream('alice'), scopeStream('transfer:all'), LEDGER_WIDE_STREAM]) expect({ stream, domain: isDomainStream(stream) }).toEqual({ stream, domain: true });
    for (const stream of ['ledger-lease-kafka', '$lease', '$all', 'globalx', 'xglobal', 'client-', 'consent', 'clients-x', 'xclient-a', 'users-a', 'scope-', 'scopes-a']) {
      expect({ stream, domain: isDomainStream(stream) }).toEqual({ stream, domain: false });
    }
  });

  it('DOMAIN_STREAM_PREFIXES: every domain stream starts with one of them, and no infrastructure stream does', () => {
    expect(DOMAIN_STREAM_PREFIXES).toEqual(['client-', 'consent-', 'user-', 'scope-', 'global']);
    const starts = (stream: string) => DOMAIN_STREAM_PREFIXES.some((p) => stream.startsWith(p));
    for (const stream of [clientStream('app'), consentStreamFor('alice', 'app'), userStream('alice'), scopeStream('transfer:all'), LEDGER_WIDE_STREAM]) expect({ stream, starts: starts(stream) }).toEqual({ stream, starts: true });
    for (const stream of ['ledger-lease-kafka', '$lease', 'checkpoint-x']) expect({ stream, starts: starts(stream) }).toEqual({ stream, starts: false });
  });
});
