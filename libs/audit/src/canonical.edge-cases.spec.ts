import { canonicalJson } from './canonical';

/** The edges of canonicalJson that a stored event can reach: what JSON.stringify would store, byte for byte. */
describe('canonicalJson at the edges of JSON', () => {
  it('writes undefined inside an array as null, exactly as the stored JSON does', () => {
    const value = [1, undefined, 'x', undefined];
    expect(canonicalJson(value)).toBe('[1,null,"x",null]');
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('writes a hole in a sparse array as null, as the stored JSON does: the link then verifies after the round trip', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 2];
    expect(canonicalJson({ scopes: sparse })).toBe('{"scopes":[1,null,2]}');
    expect(canonicalJson({ scopes: sparse })).toBe(canonicalJson(JSON.parse(JSON.stringify({ scopes: sparse }))));
  });

  it('writes an empty array and an empty object', () => {
    expect(canonicalJson({ list: [], map: {} })).toBe('{"list":[],"map":{}}');
  });

  it('writes null and booleans as JSON does', () => {
    expect(canonicalJson({ a: null, b: false, c: true })).toBe('{"a":null,"b":false,"c":true}');
  });

  it('omits an undefined member between others, with no stray comma', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: 2 })).toBe('{"a":1,"c":2}');
  });

  it('accepts an object with a null prototype (as Object.create(null) or some parsers give) like a plain one', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: [1] });
    expect(canonicalJson(bare)).toBe('{"a":[1],"b":2}');
    expect(canonicalJson({ nested: bare })).toBe(canonicalJson({ nested: { a: [1], b: 2 } }));
  });

  it('orders keys by UTF-16 code units, as sort() does, with few keys and with many', () => {
    const keys = ['b', 'a', 'Z', 'é', 'e', '\u{1F600}', '\uFFFF', '10', '9', '', 'ab', 'a\u0000'];
    const few = Object.fromEntries(keys.map((k, i) => [k, i]));
    expect(canonicalJson(few)).toBe(`{${[...keys].sort().map((k) => `${JSON.stringify(k)}:${few[k]}`).join(',')}}`);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}\u00e9${i % 3}`, i]));
    expect(canonicalJson(many)).toBe(`{${Object.keys(many).sort().map((k) => `${JSON.stringify(k)}:${many[k]}`).join(',')}}`);
  });

  it('leaves an object of more than 16 keys to sort(): an insertion sort of a large input would grow with its square', () => {
    const sort = jest.spyOn(Array.prototype, 'sort');
    const sortsFor = (n: number) => {
      const value = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${n - i}`, i]));
      const before = sort.mock.calls.length;
      canonicalJson(value);
      return sort.mock.calls.length - before;
    };
    try {
      expect([sortsFor(16), sortsFor(17)]).toEqual([0, 1]);
    } finally {
      sort.mockRestore();
    }
  });

  it('escapes keys as JSON strings', () => {
    expect(canonicalJson({ 'a"b': 1 })).toBe('{"a\\"b":1}');
  });

  it.each<[string, unknown, string]>([
    ['NaN', NaN, 'canonicalJson: NaN has no JSON form'],
    ['-Infinity', -Infinity, 'canonicalJson: -Infinity has no JSON form'],
    ['a class instance', new (class Point {})(), 'canonicalJson: only plain objects, arrays and primitives'],
    ['a Date', new Date(0), 'canonicalJson: only plain objects, arrays and primitives'],
    ['undefined on its own', undefined, 'canonicalJson: a undefined has no JSON form'],
    ['a symbol', Symbol('s'), 'canonicalJson: a symbol has no JSON form'],
    ['a bigint', BigInt(1), 'canonicalJson: a bigint has no JSON form'],
  ])('refuses %s and says why', (_label, value, message) => {
    expect(() => canonicalJson(value)).toThrow(new TypeError(message));
  });

  it('refuses what has no JSON form inside an array too', () => {
    expect(() => canonicalJson([1, NaN])).toThrow(TypeError);
    expect(() => canonicalJson([new Map()])).toThrow(TypeError);
  });
});
