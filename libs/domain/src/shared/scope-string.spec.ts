import { mulberry32 } from '../testing/mulberry32';
import { formatScopeTree, MAX_SCOPE_DEPTH, MAX_SCOPE_STRING_LENGTH, mergeScopeTrees, parseScopeString, SCOPE_STRING_PATTERN, ScopeTree } from './scope-string';
import { MAX_SCOPE_LENGTH } from './scope-token';

const TRANSFER = 'https://auth.globus.org/scopes/5fac2e64-c734-4e6b-90ea-ff12ddbf9653/transfer.api.globus.org:all';
const COLLECTION = 'https://auth.globus.org/scopes/0b0a6f1e-8c8a-4d5f-a5a6-e2cd45e7a9a2/data_access';

/** A tree in the short form the tests write: `node('a', node('*b'))`. */
const node = (written: string, ...dependencies: ScopeTree[]): ScopeTree => ({
  scope: written.replace(/^\*/, ''),
  optional: written.startsWith('*'),
  dependencies,
});

const treeOf = (value: string) => {
  const parsed = parseScopeString(value);
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(value)} to parse, but: ${parsed.rule}`);
  return parsed.tree;
};
const ruleOf = (value: unknown) => {
  const parsed = parseScopeString(value);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return parsed.rule;
};

describe('scope-strings: a scope-token and its dependencies', () => {
  describe('parses', () => {
    it('a plain scope-token into a tree without dependencies', () => {
      expect(parseScopeString('photos:read')).toEqual({ ok: true, tree: node('photos:read') });
      expect(treeOf(TRANSFER)).toEqual(node(TRANSFER));
    });

    it("Globus's dependent scope: transfer, needing a collection's data_access", () => {
      expect(treeOf(`${TRANSFER}[${COLLECTION}]`)).toEqual(node(TRANSFER, node(COLLECTION)));
    });

    it('several dependencies, one space apart, in the order written', () => {
      expect(treeOf('a[c b d]')).toEqual(node('a', node('c'), node('b'), node('d')));
    });

    it('optional dependencies, marked with a star', () => {
      expect(treeOf(`${TRANSFER}[*${COLLECTION} b]`)).toEqual(node(TRANSFER, node(`*${COLLECTION}`), node('b')));
    });

    it('nested dependencies: a[b[c *d] e]', () => {
      expect(treeOf('a[b[c *d] e]')).toEqual(node('a', node('b', node('c'), node('*d')), node('e')));
      expect(treeOf('a[*b[c]]')).toEqual(node('a', node('*b', node('c'))));
      expect(treeOf('a[b[c]]')).toEqual(node('a', node('b', node('c'))));
    });

    it('a star inside a scope-token, which only marks optional at the start', () => {
      expect(treeOf('read:*[*write:*]')).toEqual(node('read:*', node('*write:*')));
    });

    it(`dependencies ${MAX_SCOPE_DEPTH} levels deep`, () => {
      expect(treeOf('a[b[c[d[e]]]]')).toEqual(node('a', node('b', node('c', node('d', node('e'))))));
    });

    it(`a string of exactly ${MAX_SCOPE_STRING_LENGTH} characters, and scope-tokens of ${MAX_SCOPE_LENGTH} inside it`, () => {
      const long = 'b'.repeat(MAX_SCOPE_LENGTH);
      const value = `a[${long} ${long} ${long} ${'c'.repeat(MAX_SCOPE_STRING_LENGTH - 3 * MAX_SCOPE_LENGTH - 6)}]`;
      expect(value).toHaveLength(MAX_SCOPE_STRING_LENGTH);
      expect(treeOf(value).dependencies).toHaveLength(4);
    });
  });

  describe('refuses, naming the rule and where', () => {
    it.each([
      ['a space at the top', 'a b', 'RFC 6749 section 3.3: a scope-token has no space, so each scope is an item of its own (at character 2)'],
      ['a space after a list', 'a[b] c', 'RFC 6749 section 3.3: a scope-token has no space, so each scope is an item of its own (at character 5)'],
      ['a leading space', ' a', 'RFC 6749 section 3.3: a scope-token has no space (at character 1)'],
      ['the empty string', '', 'RFC 6749 section 3.3: a scope-token has at least one character (at character 1)'],
      ['a space before the list', 'a [b]', 'RFC 6749 section 3.3: a scope-token has no space, so each scope is an item of its own (at character 2)'],
      ['an unclosed bracket', 'a[b', "the dependent-scope grammar: this '[' is never closed (at character 2)"],
      ['an unclosed inner bracket', 'a[b[c]', "the dependent-scope grammar: this '[' is never closed (at character 2)"],
      ['a bracket opened at the end', 'a[', "the dependent-scope grammar: this '[' is never closed (at character 2)"],
      ['a list ending in a space', 'a[b ', "the dependent-scope grammar: this '[' is never closed (at character 2)"],
      ['an inner list ending in a space', 'a[b[c ', "the dependent-scope grammar: this '[' is never closed (at character 4)"],
      ['a stray closing bracket', 'a]', "the dependent-scope grammar: this ']' closes no '[' (at character 2)"],
      ['one closing bracket too many', 'a[b]]', "the dependent-scope grammar: this ']' closes no '[' (at character 5)"],
      ['empty brackets', 'a[]', "the dependent-scope grammar: '[]' is empty; a list of dependencies names at least one scope (at character 2)"],
      ['empty inner brackets', 'a[b[]]', "the dependent-scope grammar: '[]' is empty; a list of dependencies names at least one scope (at character 4)"],
      ['a bracket first', '[a]', "the dependent-scope grammar: a scope-token comes before '[' (at character 1)"],
      ['a closing bracket first', ']', "the dependent-scope grammar: a scope-token comes before ']' (at character 1)"],
      ['a list inside a list', 'a[[b]]', "the dependent-scope grammar: a scope-token comes before '[' (at character 3)"],
      ['a list after a space', 'a[b [c]]', "the dependent-scope grammar: a scope-token comes before '[' (at character 5)"],
      ['two lists', 'a[b][c]', 'the dependent-scope grammar: a scope has one list of dependencies (at character 5)'],
      ['two lists on a dependency', 'a[b[c][d]]', 'the dependent-scope grammar: a scope has one list of dependencies (at character 7)'],
      ['text after a list', 'a[b]c', "the dependent-scope grammar: after ']' comes a space, ']' or the end, not 'c' (at character 5)"],
      ['text after an inner list', 'a[b[c]d]', "the dependent-scope grammar: after ']' comes a space, ']' or the end, not 'd' (at character 7)"],
      ['a star at the top', '*a', "the dependent-scope grammar: '*' marks an optional dependency, and a granted scope is not optional (at character 1)"],
      ['a star at the top, with dependencies', '*a[b]', "the dependent-scope grammar: '*' marks an optional dependency, and a granted scope is not optional (at character 1)"],
      ['a star before a space', 'a[* b]', "the dependent-scope grammar: '*' is followed by a scope-token, not a space (at character 4)"],
      ['a star before a closing bracket', 'a[b *]', "the dependent-scope grammar: '*' is followed by a scope-token, not ']' (at character 6)"],
      ['a star before a bracket', 'a[*[b]]', "the dependent-scope grammar: '*' is followed by a scope-token, not '[' (at character 4)"],
      ['a star at the end', 'a[*', "the dependent-scope grammar: '*' is followed by a scope-token, not the end (at character 4)"],
      ['two stars', 'a[**b]', "the dependent-scope grammar: '*' marks an optional dependency and does not start a scope-token (at character 4)"],
      ['a space after the bracket', 'a[ b]', "the dependent-scope grammar: no space after '[' (at character 3)"],
      ['a space before the closing bracket', 'a[b ]', "the dependent-scope grammar: no space before ']' (at character 4)"],
      ['two spaces between dependencies', 'a[b  c]', 'the dependent-scope grammar: one space between dependencies, not two (at character 5)'],
      ['a tab between dependencies', 'a[b\tc]', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+0009 (at character 3)'],
      ['a newline between dependencies', 'a[b\nc]', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+000A (at character 3)'],
      ['a quote in a dependency', 'a[b"]', `RFC 6749 section 3.3: a scope-token has no '"' or '\\' (at character 3)`],
      ['a non-ASCII dependency', 'a[é]', 'RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+00E9 (at character 3)'],
      ['a dependency over the scope-token limit', `a[${'b'.repeat(MAX_SCOPE_LENGTH + 1)}]`, "the ledger's limits: a scope-token has at most 256 characters (at character 3)"],
      ['a top-level token over the limit', `${'a'.repeat(MAX_SCOPE_LENGTH + 1)}[b]`, "the ledger's limits: a scope-token has at most 256 characters (at character 1)"],
      [`dependencies ${MAX_SCOPE_DEPTH + 1} levels deep`, 'a[b[c[d[e[f]]]]]', `the ledger's limits: dependencies nest at most ${MAX_SCOPE_DEPTH} levels deep (at character 10)`],
    ])('%s: %j', (_label, value, rule) => {
      expect(parseScopeString(value)).toEqual({ ok: false, rule });
    });

    it(`a string over ${MAX_SCOPE_STRING_LENGTH} characters, before reading it`, () => {
      expect(ruleOf(`a[${'b '.repeat(MAX_SCOPE_STRING_LENGTH / 2)}]`)).toBe("the ledger's limits: a scope with its dependencies has at most 1024 characters");
      expect(ruleOf('a'.repeat(MAX_SCOPE_STRING_LENGTH + 1))).toBe("the ledger's limits: a scope with its dependencies has at most 1024 characters");
    });

    it('deep nesting far past the cap without recursing into it', () => {
      const deep = 'a['.repeat(300) + 'a' + ']'.repeat(300);
      expect(ruleOf(deep)).toBe(`the ledger's limits: dependencies nest at most ${MAX_SCOPE_DEPTH} levels deep (at character 10)`);
    });

    it('values that are not strings', () => {
      for (const value of [undefined, null, 7, ['a'], { scope: 'a' }]) expect(ruleOf(value)).toBe('RFC 6749 section 3.3: a scope is a string');
    });
  });

  describe('formatScopeTree', () => {
    it.each(['a', 'a[b]', 'a[b[c *d] e]', `${TRANSFER}[*${COLLECTION}]`, 'a[*b[*c]]'])('writes %s back as it was written', (value) => {
      expect(formatScopeTree(treeOf(value))).toBe(value);
    });
  });

  describe('mergeScopeTrees', () => {
    const merged = (...values: string[]) => mergeScopeTrees(values.map(treeOf)).map(formatScopeTree);

    it('sorts by scope, at every level', () => {
      expect(merged('b[z y]', 'a')).toEqual(['a', 'b[y z]']);
    });

    it('keeps one node per scope, with the dependencies of every mention', () => {
      expect(merged('a[b]', 'a[c]', 'a')).toEqual(['a[b c]']);
      expect(merged('a[b[x]]', 'a[b[y] b]')).toEqual(['a[b[x y]]']);
      expect(merged('a[b b b]')).toEqual(['a[b]']);
    });

    it('makes a dependency required if any mention requires it, optional only if every mention is', () => {
      expect(merged('a[*b]', 'a[b]')).toEqual(['a[b]']);
      expect(merged('a[*b]', 'a[*b[c]]')).toEqual(['a[*b[c]]']);
      expect(merged('a[*b *b]')).toEqual(['a[*b]']);
    });

    it('leaves nothing of an empty list', () => {
      expect(mergeScopeTrees([])).toEqual([]);
    });
  });

  describe('SCOPE_STRING_PATTERN, for the OpenAPI document', () => {
    const pattern = new RegExp(SCOPE_STRING_PATTERN);
    const agree = (s: string) => expect({ s, pattern: pattern.test(s) }).toEqual({ s, pattern: parseScopeString(s).ok });

    it('agrees with the parser on every case above and the real-world scopes', () => {
      const samples = ['a', 'photos:read', 'read:user', 'api://app/.default', TRANSFER, `${TRANSFER}[${COLLECTION}]`, `${TRANSFER}[*${COLLECTION}]`, 'a[b[c *d] e]',
        'a[b[c[d[e]]]]', 'a[b[c[d[e[f]]]]]', 'a b', 'a[b', 'a]', 'a[]', '*a', 'a[* b]', 'a[ b]', 'a[b ]', 'a[b  c]', 'a[b][c]', 'a[b]c', 'a[**b]', 'read:*[*write:*]',
        `a[${'b'.repeat(MAX_SCOPE_LENGTH)}]`, `a[${'b'.repeat(MAX_SCOPE_LENGTH + 1)}]`, 'a[b"]', 'a[é]', '', ' ', 'a\n'];
      for (const s of samples) agree(s);
    });

    it('agrees with the parser on random trees, one level too deep now and then, and on each of them with one character changed', () => {
      const random = mulberry32(6749);
      const pick = <T>(from: readonly T[]) => from[Math.floor(random() * from.length)];
      const tree = (depth: number): ScopeTree => ({
        scope: pick(['a', 'b', 'read:*', 'api://x/.default']),
        optional: depth > 0 && random() < 0.3,
        dependencies: depth <= MAX_SCOPE_DEPTH && random() < 0.5 ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => tree(depth + 1)) : [],
      });
      const counts = { valid: 0, nested: 0, refused: 0 };
      for (let i = 0; i < 3000; i++) {
        const written = formatScopeTree(tree(0));
        const at = Math.floor(random() * (written.length + 1));
        const changed = written.slice(0, at) + pick(['', ' ', '[', ']', '*', '"', 'a']) + written.slice(at + pick([0, 1]));
        for (const s of [written, changed]) {
          agree(s);
          const parsed = parseScopeString(s);
          counts[parsed.ok ? (parsed.tree.dependencies.length > 0 ? 'nested' : 'valid') : 'refused']++;
        }
      }
      // The cases are spread over all three outcomes, not all alike.
      for (const count of Object.values(counts)) expect(count).toBeGreaterThan(600);
    });
  });
});
