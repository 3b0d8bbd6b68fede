/**
 * A scope-token as RFC 6749 section 3.3 defines it, `1*( %x21 / %x23-5B / %x5D-7E )`: printable ASCII without space,
 * `"` or `\`. So `photos:read`, `https://auth.globus.org/scopes/<uuid>/data_access`, `api://app/.default` and
 * `urn:globus:auth:scope:transfer.api.globus.org:all` are all scope-tokens.
 *
 * The ledger narrows the RFC by three characters that the dependent-scope syntax of scope-string.ts (Globus Auth's)
 * gives a meaning: `[` and `]` never appear in a scope-token, and `*` never starts one. Without that, `a[b]` would be
 * both the RFC scope-token "a[b]" and the scope `a` depending on `b`; the ledger, like Globus Auth, reads it only the
 * second way, so that one string never names two things.
 *
 * A scope is compared as an exact string everywhere (tokens, revocations, caches): nothing is case-folded, trimmed or
 * decoded, since a second spelling would silently be a second permission.
 */

/** What a rule is, named in every refusal: `scopes[2] "a b" breaks RFC 6749 section 3.3: a scope-token has no space`. */
export const RFC_6749 = 'RFC 6749 section 3.3';
export const LEDGER_LIMITS = "the ledger's limits";
export const DEPENDENT_SCOPE_GRAMMAR = 'the dependent-scope grammar';

/**
 * 256 characters: every scope seen in the wild fits with room to spare (Globus's collection scopes are about 80), and
 * a revocation lists the scopes it revoked, so this bounds the size of every revocation event (docs/design.md).
 */
export const MAX_SCOPE_LENGTH = 256;

/** The characters as regular-expression classes, written once: the parser and the OpenAPI patterns use these. */
const FIRST = '[\\x21\\x23-\\x29\\x2B-\\x5A\\x5E-\\x7E]';
const REST = '[\\x21\\x23-\\x5A\\x5E-\\x7E]';

/** One scope-token, unanchored, length cap included: the building block of both OpenAPI patterns. */
export const SCOPE_TOKEN_SOURCE = `${FIRST}${REST}{0,${MAX_SCOPE_LENGTH - 1}}`;

/** scopeTokenRule as one regular expression, for the OpenAPI document (scope-token.spec.ts holds the two together). */
export const SCOPE_TOKEN_PATTERN = `^${SCOPE_TOKEN_SOURCE}$`;

/**
 * The rule `value` breaks as a scope-token, or undefined if it is one. The rule reads after "breaks": it names the
 * source (RFC 6749 or the ledger) and says what a scope-token is, so that a refusal tells the caller what to change.
 */
export function scopeTokenRule(value: unknown): string | undefined {
  if (typeof value !== 'string') return `${RFC_6749}: a scope-token is a string`;
  if (value.length === 0) return `${RFC_6749}: a scope-token has at least one character`;
  if (value.length > MAX_SCOPE_LENGTH) return `${LEDGER_LIMITS}: a scope-token has at most ${MAX_SCOPE_LENGTH} characters`;
  for (const char of value) {
    if (char === ' ') return `${RFC_6749}: a scope-token has no space`;
    if (char === '"' || char === '\\') return `${RFC_6749}: a scope-token has no '"' or '\\'`;
    const code = char.codePointAt(0)!;
    if (code < 0x21 || code > 0x7e) return `${RFC_6749}: a scope-token is printable ASCII (%x21-7E), not U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    if (char === '[' || char === ']') return `${DEPENDENT_SCOPE_GRAMMAR}: '[' and ']' hold a scope's dependencies (scope[dependency ...]), which only a grant takes`;
  }
  if (value.startsWith('*')) return `${DEPENDENT_SCOPE_GRAMMAR}: '*' marks an optional dependency and does not start a scope-token`;
  return undefined;
}

export const isValidScope = (value: string): boolean => scopeTokenRule(value) === undefined;
