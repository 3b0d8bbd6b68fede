/**
 * Dependent scopes, as Globus Auth writes them: a scope, then in brackets the scopes it needs in turn, `*` marking the
 * optional ones, nested as deep as the chain goes:
 *
 *   https://auth.globus.org/scopes/<flow>/flow[urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/<collection>/data_access]]
 *
 *   scope-string = scope-token [ dependencies ]
 *   dependencies = "[" dependency *( SP dependency ) "]"
 *   dependency   = [ "*" ] scope-token [ dependencies ]
 *
 * scope-token is scope-token.ts's (RFC 6749's, without `[` and `]`, not starting with `*`). Whitespace is exactly one
 * space between the dependencies of a list, and nowhere else: not after `[`, not before `]`, not twice. A scope-string
 * is not a scope-token (it may hold spaces), so it is never stored or compared as one: the ledger parses it into a
 * tree, keeps the top-level scope-token as the consent's scope, and records the tree beside it (docs/design.md).
 */
import { DEPENDENT_SCOPE_GRAMMAR, LEDGER_LIMITS, RFC_6749, SCOPE_TOKEN_SOURCE, scopeTokenRule } from './scope-token';

export interface ScopeTree {
  scope: string;
  /** Written with a leading `*`. Always false at the top: what a user grants is never optional. */
  optional: boolean;
  dependencies: ScopeTree[];
}

/**
 * 1024 characters: room for a dozen Globus collection dependencies, and fifty such strings (MAX_SCOPES) still fit the
 * default body limit of 64 KiB, so a grant the OpenAPI document allows is never refused for its size.
 */
export const MAX_SCOPE_STRING_LENGTH = 1024;
/** Levels of dependencies below a top-level scope: a Globus timer runs a flow that runs a transfer on a collection. */
export const MAX_SCOPE_DEPTH = 4;

export type ScopeStringParse = { ok: true; tree: ScopeTree } | { ok: false; rule: string };

class Refusal {
  constructor(
    readonly rule: string,
    readonly at: number,
  ) {}
}

const DELIMITERS = new Set([' ', '[', ']']);

/** What stands where a scope-token should, for a refusal. */
const found = (char: string | undefined) => (char === undefined ? 'the end' : char === ' ' ? 'a space' : `'${char}'`);

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): ScopeTree {
    const tree = this.scope(0);
    const next = this.text[this.pos];
    if (next === undefined) return tree;
    if (next === ' ') throw new Refusal(`${RFC_6749}: a scope-token has no space, so each scope is an item of its own`, this.pos);
    if (next === ']') throw new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: this ']' closes no '['`, this.pos);
    throw this.afterList(next);
  }

  private scope(depth: number): ScopeTree {
    const optional = this.text[this.pos] === '*';
    if (optional && depth === 0) throw new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: '*' marks an optional dependency, and a granted scope is not optional`, this.pos);
    if (optional) this.pos++;
    const start = this.pos;
    // The end of the text ends a scope-token as a delimiter does.
    while (!DELIMITERS.has(this.text[this.pos] ?? ' ')) this.pos++;
    const scope = this.text.slice(start, this.pos);
    if (scope === '') throw this.noScopeAt(start, optional);
    const rule = scopeTokenRule(scope);
    if (rule) throw new Refusal(rule, start);
    const dependencies = this.text[this.pos] === '[' ? this.dependencies(depth + 1) : [];
    return { scope, optional, dependencies };
  }

  private dependencies(depth: number): ScopeTree[] {
    const open = this.pos;
    if (depth > MAX_SCOPE_DEPTH) throw new Refusal(`${LEDGER_LIMITS}: dependencies nest at most ${MAX_SCOPE_DEPTH} levels deep`, open);
    this.pos++;
    const list: ScopeTree[] = [];
    for (;;) {
      if (this.pos === this.text.length) throw new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: this '[' is never closed`, open);
      list.push(this.scope(depth));
      const next = this.text[this.pos];
      if (next === undefined) throw new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: this '[' is never closed`, open);
      if (next !== ' ' && next !== ']') throw this.afterList(next);
      this.pos++;
      if (next === ']') return list;
    }
  }

  /** A scope-token ends only at a delimiter, so anything else stands right after a ']': `a[b]c`, `a[b][c]`. */
  private afterList(next: string): Refusal {
    if (next === '[') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: a scope has one list of dependencies`, this.pos);
    return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: after ']' comes a space, ']' or the end, not ${found(next)}`, this.pos);
  }

  /** Names what is wrong where a scope-token is missing: the common slips get a rule of their own. */
  private noScopeAt(at: number, optional: boolean): Refusal {
    const next = this.text[at];
    const before = optional ? '*' : this.text[at - 1];
    if (at === 0 && next === undefined) return new Refusal(`${RFC_6749}: a scope-token has at least one character`, at);
    if (at === 0 && next === ' ') return new Refusal(`${RFC_6749}: a scope-token has no space`, at);
    if (before === '*') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: '*' is followed by a scope-token, not ${found(next)}`, at);
    if (before === '[' && next === ']') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: '[]' is empty; a list of dependencies names at least one scope`, at - 1);
    if (before === '[' && next === ' ') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: no space after '['`, at);
    if (before === ' ' && next === ']') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: no space before ']'`, at - 1);
    // Only a space stands before a space here: '[ ', '* ' and a leading space have their own rules above.
    if (next === ' ') return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: one space between dependencies, not two`, at);
    return new Refusal(`${DEPENDENT_SCOPE_GRAMMAR}: a scope-token comes before ${found(next)}`, at);
  }
}

/** Parses one scope-string (see the grammar above) into its tree, or names the rule it breaks and where. */
export function parseScopeString(value: unknown): ScopeStringParse {
  if (typeof value !== 'string') return { ok: false, rule: `${RFC_6749}: a scope is a string` };
  if (value.length > MAX_SCOPE_STRING_LENGTH) return { ok: false, rule: `${LEDGER_LIMITS}: a scope with its dependencies has at most ${MAX_SCOPE_STRING_LENGTH} characters` };
  try {
    return { ok: true, tree: new Parser(value).parse() };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, rule: `${error.rule} (at character ${error.at + 1})` };
  }
}

/** The tree written back as a scope-string; of a merged tree, the one canonical spelling. */
export function formatScopeTree(tree: ScopeTree): string {
  const list = tree.dependencies.length === 0 ? '' : `[${tree.dependencies.map(formatScopeTree).join(' ')}]`;
  return `${tree.optional ? '*' : ''}${tree.scope}${list}`;
}

/**
 * One node per scope among siblings, sorted by scope (as consents sort scopes), each required if any of its mentions
 * is, with the dependencies of all its mentions merged in turn. So `a[b]` and `a[*b c]` merge to `a[b c]`, and a
 * scope named twice in one request, or again in a later grant, never records two trees.
 */
export function mergeScopeTrees(trees: readonly ScopeTree[]): ScopeTree[] {
  const byScope = new Map<string, ScopeTree[]>();
  for (const tree of trees) byScope.set(tree.scope, [...(byScope.get(tree.scope) ?? []), tree]);
  return [...byScope.keys()].sort().map((scope) => {
    const mentions = byScope.get(scope)!;
    return { scope, optional: mentions.every((t) => t.optional), dependencies: mergeScopeTrees(mentions.flatMap((t) => t.dependencies)) };
  });
}

/**
 * The grammar as one regular expression, for the OpenAPI document, so that Schemathesis generates strings the parser
 * takes. A regular expression cannot count brackets, so the nesting is unrolled MAX_SCOPE_DEPTH levels deep; the
 * total length is the schema's maxLength. scope-string.spec.ts holds it and parseScopeString together.
 */
export const SCOPE_STRING_PATTERN = (() => {
  const listOf = (item: string) => `(?:\\[${item}(?: ${item})*\\])?`;
  let dependency = `\\*?${SCOPE_TOKEN_SOURCE}`;
  for (let level = MAX_SCOPE_DEPTH - 1; level >= 1; level--) dependency = `\\*?${SCOPE_TOKEN_SOURCE}${listOf(dependency)}`;
  return `^${SCOPE_TOKEN_SOURCE}${listOf(dependency)}$`;
})();
