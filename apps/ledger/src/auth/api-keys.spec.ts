import { Authenticator, hashApiKeys, hasRole, parseApiKeys } from './api-keys';

describe('API keys', () => {
  const keys = parseApiKeys('frontend:commands:frontend-secret-0123456789, rs:introspect:rs-secret-0123456789:with:colons,root:admin:root-secret-0123456789');
  const auth = new Authenticator(hashApiKeys(keys));

  it('parses name:role:secret lists, a secret may hold colons', () => {
    expect(keys.map((k) => [k.name, k.role])).toEqual([['frontend', 'commands'], ['rs', 'introspect'], ['root', 'admin']]);
    expect(keys[1].secret).toBe('rs-secret-0123456789:with:colons');
  });

  it.each([
    ['', 'at least one'],
    ['frontend:commands', 'name:role:secret'],
    ['frontend:root:0123456789abcdef', 'role'],
    ['frontend:commands:short', 'secret'],
    ['a b:commands:0123456789abcdef', 'name'],
    ['a:commands:0123456789abcdef,a:audit:fedcba9876543210', 'twice'],
    ['a:commands:0123456789abcdef,b:audit:0123456789abcdef', 'share a secret'],
  ])('refuses %j without repeating a secret', (raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(message);
    try {
      parseApiKeys(raw);
    } catch (e) {
      expect((e as Error).message).not.toContain('0123456789abcdef');
    }
  });

  it('authenticates Bearer secrets, and Basic only where asked', () => {
    expect(auth.authenticate('Bearer frontend-secret-0123456789')).toEqual({ name: 'frontend', role: 'commands' });
    expect(auth.authenticate('bearer   frontend-secret-0123456789')).toEqual({ name: 'frontend', role: 'commands' });
    const basic = 'Basic ' + Buffer.from('rs:rs-secret-0123456789:with:colons').toString('base64');
    expect(auth.authenticate(basic)).toBeUndefined();
    expect(auth.authenticate(basic, { basic: true })).toEqual({ name: 'rs', role: 'introspect' });
    expect(auth.authenticate('Basic ' + Buffer.from('frontend:rs-secret-0123456789:with:colons').toString('base64'), { basic: true })).toBeUndefined();
    for (const bad of [undefined, '', 'Bearer', 'Bearer ', 'Bearer wrong-secret-0123456789', 'Token frontend-secret-0123456789', 'Bearer frontend-secret-012345678']) {
      expect(auth.authenticate(bad, { basic: true })).toBeUndefined();
    }
  });

  it('admin holds every role; the others only their own', () => {
    expect(hasRole({ name: 'root', role: 'admin' }, ['introspect'])).toBe(true);
    expect(hasRole({ name: 'x', role: 'commands' }, ['commands', 'audit'])).toBe(true);
    expect(hasRole({ name: 'x', role: 'introspect' }, ['commands'])).toBe(false);
    expect(hasRole({ name: 'x', role: 'audit' }, [])).toBe(false);
  });
});
