import { Introspection, IntrospectionCache, tokenHash } from './introspection-cache';

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
