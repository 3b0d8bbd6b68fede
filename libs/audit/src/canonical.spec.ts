import { canonicalJson } from './canonical';

describe('canonicalJson: the same value always gives the same bytes', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('does not depend on insertion order', () => {
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('omits undefined members, exactly as the stored JSON does', () => {
    const value = { actor: 'a', reason: undefined };
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
  });

  it('keeps array order, and writes strings and numbers as JSON does', () => {
    expect(canonicalJson(['b', 'a', 1.5, -0, 1e21, null, true, 'é\u0000"'])).toBe('["b","a",1.5,0,1e+21,null,true,"é\\u0000\\""]');
  });

  it('survives a JSON round trip unchanged', () => {
    const value = { data: { scopes: ['openid'], n: 3, nested: { k: null } }, metadata: { actor: 'x' } };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a Date', new Date(0)],
    ['a function', () => 1],
    ['a bigint', BigInt(1)],
    ['a Map', new Map()],
  ])('refuses %s, which has no stable JSON form', (_label, value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });
});
