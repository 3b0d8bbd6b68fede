import { invalid } from './domain-error';

/**
 * A scope is either a URN (RFC 8141: `urn:<NID>:<NSS>`, e.g. urn:globus:auth:scope:transfer.api.globus.org:all) or
 * a simple name such as `openid` or `email`. Anything else is refused: a scope is compared as an exact string
 * everywhere (tokens, revocations, caches), so sloppy spellings would silently create distinct permissions.
 */
const SIMPLE = /^[A-Za-z][A-Za-z0-9_.\-]{0,63}$/;
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,\-.:=@;$_!*'%/]+$/;

export const MAX_SCOPE_LENGTH = 256;
export const MAX_SCOPES = 50;

export function isValidScope(scope: string): boolean {
  if (typeof scope !== 'string' || scope.length === 0 || scope.length > MAX_SCOPE_LENGTH) return false;
  if (scope.toLowerCase().startsWith('urn:')) return URN.test(scope) && !scope.endsWith(':');
  return SIMPLE.test(scope);
}

/** Validates, de-duplicates and sorts, so that equal sets of scopes are equal arrays in events and views. */
export function normaliseScopes(scopes: readonly string[], field = 'scopes'): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) throw invalid('invalid_scope', `${field} must name at least one scope`);
  if (scopes.length > MAX_SCOPES) throw invalid('invalid_scope', `${field} may name at most ${MAX_SCOPES} scopes`);
  const bad = scopes.filter((s) => !isValidScope(s));
  if (bad.length > 0) throw invalid('invalid_scope', `Malformed scope: ${bad.map((s) => JSON.stringify(s)).join(', ')}`, { invalid: bad });
  return [...new Set(scopes)].sort();
}

/** RFC 6749 section 3.3: a space-delimited list. */
export const scopeString = (scopes: readonly string[]) => scopes.join(' ');

export const difference = (a: readonly string[], b: readonly string[]) => {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
};
export const intersection = (a: readonly string[], b: readonly string[]) => {
  const keep = new Set(b);
  return a.filter((x) => keep.has(x));
};
