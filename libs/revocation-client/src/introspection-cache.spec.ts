import { Introspection, IntrospectionCache, tokenHash } from './introspection-cache';
import { parseRevocationMessage } from './revocation-consumer';

const active = (sub: string, client_id: string, exp: number, jti = 'tok_1'): Introspection => ({ active: true, scope: 'openid', client_id, sub, exp, iat: exp - 3600, jti });

describe('IntrospectionCache', () => {
  let now = 1_000_000_000_000;
  const cache = () => new IntrospectionCache({ now: () => now, maxStalenessMs: 60_000, inactiveTtlMs: 5_000 });
  const inAnHour = () => Math.floor(now / 1000) + 3600;

  it('keeps an active answer until the earlier of its exp and the staleness bound', () => {
    const c = cache();
    c.set('h1', active('alice', 'app', inAnHour()));
    c.set('h2', active('alice', 'app', Math.floor(now / 1000) + 10));
    now += 9_000;
    expect(c.get('h1')).toMatchObject({ active: true });
    expect(c.get('h2')).toMatchObject({ active: true });
    now += 2_000;
    expect(c.get('h2')).toBeUndefined();
    now += 50_000;
    expect(c.get('h1')).toBeUndefined();
  });

  it('given token.revoked, evicts exactly that hash, and the token never reads active again', () => {
    const c = cache();
    c.set('h1', active('alice', 'app', inAnHour()));
    c.set('h2', active('alice', 'app', inAnHour(), 'tok_2'));
    expect(c.apply({ eventId: 'e1', type: 'token.revoked', userId: 'alice', clientId: 'app', tokenIds: ['tok_1'], tokenHashes: ['h1'] })).toBe(true);
    expect(c.get('h1')).toEqual({ active: false });
    expect(c.get('h2')).toMatchObject({ active: true });
    c.set('h1', active('alice', 'app', inAnHour()));
    expect(c.get('h1')).toEqual({ active: false });
  });

  it('given a consent revocation, evicts every token of the pair, also ones the event does not list', () => {
    const c = cache();
    c.set('h1', active('alice', 'app', inAnHour()));
    c.set('h2', active('alice', 'app', inAnHour(), 'tok_2'));
    c.set('h3', active('alice', 'other-app', inAnHour(), 'tok_3'));
    c.set('h4', active('bob', 'app', inAnHour(), 'tok_4'));
    c.apply({ eventId: 'e2', type: 'consent.scopes_revoked', userId: 'alice', clientId: 'app', tokenIds: ['tok_1'], tokenHashes: ['h1'] });
    expect(c.peek('h1')).toBeUndefined();
    expect(c.peek('h2')).toBeUndefined();
    expect(c.peek('h3')).toMatchObject({ active: true });
    expect(c.peek('h4')).toMatchObject({ active: true });
  });

  it('given a client revocation, evicts every cached token of the client, of every user, and no other client', () => {
    for (const type of ['client.disabled', 'client.scopes_revoked']) {
      const c = cache();
      c.set('h1', active('alice', 'app', inAnHour()));
      c.set('h2', active('bob', 'app', inAnHour(), 'tok_2'));
      c.set('h3', active('alice', 'other-app', inAnHour(), 'tok_3'));
      c.apply({ eventId: `e-${type}`, type, consentId: null, userId: null, clientId: 'app', tokenIds: [], tokenHashes: [] });
      expect([c.peek('h1'), c.peek('h2')]).toEqual([undefined, undefined]);
      expect(c.peek('h3')).toMatchObject({ active: true });
      // The pair index forgot them too: a later consent revocation of alice's pair finds nothing stale.
      c.apply({ eventId: `e-${type}-2`, type: 'consent.revoked', userId: 'alice', clientId: 'other-app', tokenIds: [], tokenHashes: [] });
      expect(c.stats().entries).toBe(0);
    }
  });

  it('does not cache an answer fetched across a revocation of its client', () => {
    const c = cache();
    const ticket = c.ticket();
    c.apply({ eventId: 'e7', type: 'client.disabled', userId: null, clientId: 'app', tokenIds: [], tokenHashes: [] });
    c.set('h7', active('carol', 'app', inAnHour()), ticket);
    expect(c.peek('h7')).toBeUndefined();
    c.set('h7', active('carol', 'app', inAnHour()), c.ticket());
    expect(c.peek('h7')).toMatchObject({ active: true });
  });

  it('applies an eventId once', () => {
    const c = cache();
    const event = { eventId: 'e3', type: 'consent.revoked', userId: 'alice', clientId: 'app', tokenIds: [], tokenHashes: [] };
    expect(c.apply(event)).toBe(true);
    expect(c.apply(event)).toBe(false);
    expect(c.stats()).toMatchObject({ applied: 1, duplicates: 1 });
  });

  it('does not cache an answer fetched across a consent revocation of its pair', () => {
    const c = cache();
    const ticket = c.ticket();
    c.apply({ eventId: 'e4', type: 'consent.revoked', userId: 'alice', clientId: 'app', tokenIds: [], tokenHashes: [] });
    c.set('h5', active('alice', 'app', inAnHour()), ticket);
    expect(c.peek('h5')).toBeUndefined();
    c.set('h5', active('alice', 'app', inAnHour()), c.ticket());
    expect(c.peek('h5')).toMatchObject({ active: true });
  });

  it('remembers inactive answers briefly, and keys by SHA-256 hex', () => {
    const c = cache();
    c.set('h6', { active: false });
    now += 4_000;
    expect(c.get('h6')).toEqual({ active: false });
    now += 2_000;
    expect(c.get('h6')).toBeUndefined();
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('IntrospectionCache and bulk revocations', () => {
  let now = 1_000_000_000_000;
  const cache = () => new IntrospectionCache({ now: () => now, maxStalenessMs: 60_000 });
  const inAnHour = () => Math.floor(now / 1000) + 3600;
  const bulk = (eventId: string, type: string, userId: string | null, clientId: string | null) => ({ eventId, type, consentId: null, userId, clientId, tokenIds: [], tokenHashes: [] });

  /** alice at app and other-app, bob at app. */
  function filled() {
    const c = cache();
    c.set('a-app', active('alice', 'app', inAnHour()));
    c.set('a-other', active('alice', 'other-app', inAnHour(), 'tok_2'));
    c.set('b-app', active('bob', 'app', inAnHour(), 'tok_3'));
    return c;
  }
  const cached = (c: IntrospectionCache) => ['a-app', 'a-other', 'b-app'].map((h) => c.peek(h) !== undefined);

  it.each(['user.consents_revoked', 'user.not_before'])('given %s, evicts every cached token of the user, of every client, and no other user', (type) => {
    const c = filled();
    c.apply(bulk(`e-${type}`, type, 'alice', null));
    expect(cached(c)).toEqual([false, false, true]);
    // The indexes forgot them too.
    c.apply(bulk(`e-${type}-2`, 'client.disabled', null, 'app'));
    expect(c.stats().entries).toBe(0);
  });

  it('given client.not_before, evicts every cached token of the client, of every user', () => {
    const c = filled();
    c.apply(bulk('e-cnb', 'client.not_before', null, 'app'));
    expect(cached(c)).toEqual([false, true, false]);
  });

  it('given ledger.not_before (no user, no client), evicts every cached token', () => {
    const c = filled();
    c.apply(bulk('e-lnb', 'ledger.not_before', null, null));
    expect(cached(c)).toEqual([false, false, false]);
    expect(c.stats()).toMatchObject({ entries: 0, applied: 1 });
  });

  it('a type it does not know is evicted by what it names: a user, a client, or nothing (everything)', () => {
    const c = filled();
    c.apply(bulk('e-x', 'user.something_new', 'bob', null));
    expect(cached(c)).toEqual([true, true, false]);
  });

  it('does not cache an answer fetched across a user-wide or a ledger-wide revocation', () => {
    for (const [userId, eventId] of [['carol', 'e-u'], [null, 'e-l']] as const) {
      const c = cache();
      const ticket = c.ticket();
      c.apply(bulk(eventId, userId ? 'user.consents_revoked' : 'ledger.not_before', userId, null));
      c.set('h8', active('carol', 'app', inAnHour()), ticket);
      expect(c.peek('h8')).toBeUndefined();
      c.set('h8', active('carol', 'app', inAnHour()), c.ticket());
      expect(c.peek('h8')).toMatchObject({ active: true });
    }
  });

  it('the consumer reads bulk messages with a null user or client, and still refuses malformed ones', () => {
    const message = (value: object) => Buffer.from(JSON.stringify(value));
    expect(parseRevocationMessage(message(bulk('e1', 'user.consents_revoked', 'alice', null)))).toMatchObject({ type: 'user.consents_revoked', clientId: null });
    expect(parseRevocationMessage(message(bulk('e2', 'ledger.not_before', null, null)))).toMatchObject({ userId: null, clientId: null });
    expect(parseRevocationMessage(message({ ...bulk('e3', 'user.not_before', 'alice', null), clientId: 7 }))).toBeUndefined();
    expect(parseRevocationMessage(Buffer.from('not json'))).toBeUndefined();
    expect(parseRevocationMessage(null)).toBeUndefined();
  });
});

describe('IntrospectionCache and scope revocations', () => {
  let now = 1_000_000_000_000;
  const inAnHour = () => Math.floor(now / 1000) + 3600;
  const withScope = (hash: string, sub: string, client_id: string, scope: string) => ({
    hash,
    answer: { active: true as const, scope, client_id, sub, exp: inAnHour(), iat: inAnHour() - 3600, jti: hash },
  });
  const filled = () => {
    const c = new IntrospectionCache({ now: () => now });
    for (const { hash, answer } of [
      withScope('read', 'alice', 'app', 'openid photos:read'),
      withScope('write', 'alice', 'app', 'openid photos:write'),
      withScope('both', 'alice', 'app', 'photos:read photos:write'),
      withScope('bob-read', 'bob', 'app', 'photos:read'),
      withScope('other', 'alice', 'other-app', 'photos:read'),
    ]) c.set(answer.jti, answer);
    return c;
  };
  const live = (c: IntrospectionCache) => ['read', 'write', 'both', 'bob-read', 'other'].filter((h) => c.peek(h));
  const scoped = (eventId: string, type: string, userId: string | null, clientId: string, scopes: string[]) => ({
    eventId, type, consentId: null, userId, clientId, scopes, tokenIds: [], tokenHashes: [],
  });

  it('given consent.scopes_revoked, evicts only the pair tokens that carry a revoked scope', () => {
    const c = filled();
    c.apply(scoped('e1', 'consent.scopes_revoked', 'alice', 'app', ['photos:write']));
    expect(live(c)).toEqual(['read', 'bob-read', 'other']);
  });

  it('given client.scopes_revoked with scopes, evicts the client tokens that carry one, of every user', () => {
    const c = filled();
    c.apply(scoped('e2', 'client.scopes_revoked', null, 'app', ['photos:read']));
    expect(live(c)).toEqual(['write', 'other']);
  });

  it('given client.scopes_revoked with no scopes ("every scope outside its new list"), evicts all of the client', () => {
    const c = filled();
    c.apply(scoped('e3', 'client.scopes_revoked', null, 'app', []));
    expect(live(c)).toEqual(['other']);
  });

  it('a scope list on a type that does not end by scope does not narrow its eviction', () => {
    const c = filled();
    c.apply(scoped('e4', 'consent.revoked', 'alice', 'app', ['photos:write']));
    expect(live(c)).toEqual(['bob-read', 'other']);
  });

  it('does not cache an answer fetched across a scope revocation of its pair, even one without that scope', () => {
    const c = new IntrospectionCache({ now: () => now });
    const ticket = c.ticket();
    c.apply(scoped('e5', 'consent.scopes_revoked', 'alice', 'app', ['photos:write']));
    c.set('late', withScope('late', 'alice', 'app', 'openid').answer, ticket);
    expect(c.peek('late')).toBeUndefined();
  });

  it('evictAll empties the cache, and an answer fetched across it is not cached', () => {
    const c = filled();
    const ticket = c.ticket();
    c.evictAll();
    expect(live(c)).toEqual([]);
    c.set('read', withScope('read', 'alice', 'app', 'openid').answer, ticket);
    expect(c.peek('read')).toBeUndefined();
  });
});

describe('the consumer reads contract v2 as well', () => {
  const now = 1_000_000_000_000;
  const exp = Math.floor(now / 1000) + 3600;
  const answer = (jti: string, sub: string, client_id: string, scope: string) => ({ active: true as const, scope, client_id, sub, exp, iat: exp - 3600, jti });
  const filled = () => {
    const c = new IntrospectionCache({ now: () => now });
    c.set('read', answer('read', 'alice', 'app', 'photos:read'));
    c.set('write', answer('write', 'alice', 'app', 'photos:write'));
    c.set('bob', answer('bob', 'bob', 'app', 'photos:read'));
    c.set('other', answer('other', 'alice', 'other-app', 'photos:read'));
    return c;
  };
  const live = (c: IntrospectionCache) => ['read', 'write', 'bob', 'other'].filter((h) => c.peek(h));
  const v2 = (type: string, subject: object, ends: object) => parseRevocationMessage(Buffer.from(JSON.stringify({ eventId: `e-${type}-${JSON.stringify(ends)}`, type, subject, ends, revokedAt: '2026-11-27T10:00:00Z', reason: null, position: 4 })));
  const consent = { kind: 'consent', consentId: `cns_${'0'.repeat(31)}1_1`, userId: 'alice', clientId: 'app' };

  it.each([
    ['a token', v2('token.revoked', { kind: 'token', tokenId: `tok_${'a'.repeat(32)}`, tokenHash: 'write', consentId: consent.consentId, userId: 'alice', clientId: 'app' }, { all: true }), ['read', 'bob', 'other']],
    ['a consent', v2('consent.revoked', consent, { all: true }), ['bob', 'other']],
    ['a consent, by scope', v2('consent.scopes_revoked', consent, { carryingAnyOf: ['photos:write'] }), ['read', 'bob', 'other']],
    ['a consent, by an ends form it does not know', v2('consent.scopes_revoked', consent, { carryingAllOf: ['photos:write'] }), ['bob', 'other']],
    ['a client, by scope', v2('client.scopes_revoked', { kind: 'client', clientId: 'app' }, { carryingAnyOf: ['photos:read'] }), ['write', 'other']],
    ['a client narrowed from any scope', v2('client.scopes_revoked', { kind: 'client', clientId: 'app' }, { carryingAnyOutside: ['openid'] }), ['other']],
    ['a user, before a position', v2('user.not_before', { kind: 'user', userId: 'alice' }, { issuedBefore: 4 }), ['bob']],
    ['the ledger', v2('ledger.not_before', { kind: 'ledger' }, { issuedBefore: 4 }), []],
  ])('evicts what %s covers', (_name, message, left) => {
    const c = filled();
    expect(message).toBeDefined();
    c.apply(message!);
    expect(live(c)).toEqual(left);
  });

  it('a subject it does not know, or one without its ids, is unreadable (the consumer then evicts everything)', () => {
    expect(v2('tenant.revoked', { kind: 'tenant', tenantId: 't' }, { all: true })).toBeUndefined();
    expect(v2('consent.revoked', { kind: 'consent', userId: 'alice' }, { all: true })).toBeUndefined();
    expect(v2('token.revoked', { kind: 'token', userId: 'alice', clientId: 'app' }, { all: true })).toBeUndefined();
  });
});
