/**
 * Canonical JSON for hashing: the same value always gives the same bytes, whatever the key order it was stored or
 * read back in (SQLite keeps insertion order, EventStoreDB's client may not).
 *
 * The rules are those of RFC 8785 (JCS) for the values a ledger event can hold:
 * - object keys sorted by UTF-16 code units (JavaScript's default sort), no whitespace;
 * - keys whose value is `undefined` are omitted, exactly as JSON.stringify omits them when the event is stored;
 * - strings and numbers as JSON.stringify writes them (ECMAScript number-to-string, which is JCS's rule);
 * - arrays keep their order.
 * Anything that does not survive a JSON round trip unchanged (NaN, Infinity, functions, Dates, class instances,
 * bigints) is refused instead of being hashed in some form that a later reader could not reproduce.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      // Array.from, not map: map skips a sparse array's holes (joined as nothing), JSON.stringify stores them as null.
      if (Array.isArray(value)) return `[${Array.from(value, (v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError('canonicalJson: only plain objects, arrays and primitives');
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of sortKeys(Object.keys(obj))) {
        if (obj[key] === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

/** Above this many keys, sort() itself: insertion sort grows with the square of the count. */
const INSERTION_SORT_MAX = 16;

/**
 * The keys in place, by UTF-16 code units, exactly as sort() orders strings by default. An event's objects have a
 * handful of keys, and sort() allocated a work copy of every array it sorted: 2.5 % of all that a revocation
 * allocated (docs/performance.md, "Fourteenth session").
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}
