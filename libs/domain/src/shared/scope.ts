import { invalid } from './domain-error';
import { mergeScopeTrees, parseScopeString, ScopeTree } from './scope-string';
import { scopeTokenRule } from './scope-token';

/**
 * Lists of scopes, as commands carry them: the one place that decides whether a list is well-formed, for the request
 * DTOs (through a class-validator constraint) and the deciders alike. A grant's list holds scope-strings (a scope-token
 * with its dependencies, scope-string.ts); every other list holds scope-tokens (scope-token.ts).
 */
export const MAX_SCOPES = 50;

export interface ScopeListRules {
  /** The name refusals give the list: `scopes`, `allowedScopes`. */
  field?: string;
  /** Whether an item may be a scope-string with dependencies (a grant), or only a scope-token. */
  dependencies?: boolean;
}

export interface ScopeListRefusal {
  /** Names each value that failed (the first few), its place in the list, and the rule it broke. */
  message: string;
  /** Every value that failed, absent when the list as a whole is wrong (none, too many). */
  invalid?: unknown[];
}

const NAMED = 5;

/** A value as a refusal quotes it: JSON, cut short, so that a caller with fifty scopes sees which without a wall of text. */
const quote = (value: unknown) => (typeof value === 'string' && value.length > 80 ? JSON.stringify(`${value.slice(0, 80)}...`) : JSON.stringify(value) ?? String(value));

/** Why the list is refused, or undefined when it is well-formed. */
export function scopeListRefusal(scopes: unknown, { field = 'scopes', dependencies = false }: ScopeListRules = {}): ScopeListRefusal | undefined {
  if (!Array.isArray(scopes) || scopes.length === 0) return { message: `${field} must name at least one scope` };
  if (scopes.length > MAX_SCOPES) return { message: `${field} may name at most ${MAX_SCOPES} scopes` };
  const failed = scopes.flatMap((value: unknown, index) => {
    const rule = dependencies ? ruleOf(parseScopeString(value)) : scopeTokenRule(value);
    return rule === undefined ? [] : [{ value, message: `${field}[${index}] ${quote(value)} breaks ${rule}` }];
  });
  if (failed.length === 0) return undefined;
  const more = failed.length > NAMED ? `; and ${failed.length - NAMED} more` : '';
  return { message: failed.slice(0, NAMED).map((f) => f.message).join('; ') + more, invalid: failed.map((f) => f.value) };
}

const ruleOf = (parse: ReturnType<typeof parseScopeString>) => (parse.ok ? undefined : parse.rule);

function refuseMalformed(scopes: unknown, rules: ScopeListRules): void {
  const refusal = scopeListRefusal(scopes, rules);
  if (refusal) throw invalid('invalid_scope', refusal.message, refusal.invalid ? { invalid: refusal.invalid } : undefined);
}

/** Validates scope-tokens, de-duplicates and sorts, so that equal sets of scopes are equal arrays in events and views. */
export function normaliseScopes(scopes: readonly string[], field = 'scopes'): string[] {
  refuseMalformed(scopes, { field });
  return [...new Set(scopes)].sort();
}

export interface GrantedScopes {
  /** The top-level scope-tokens, de-duplicated and sorted: what the consent holds and its tokens may carry. */
  scopes: string[];
  /** The tree of each of them that has dependencies, merged (mergeScopeTrees), in the order of `scopes`. */
  dependencies: ScopeTree[];
}

/** A grant's scope-strings, validated and parsed; a scope named twice has its dependencies merged. */
export function normaliseGrantedScopes(scopes: readonly string[]): GrantedScopes {
  refuseMalformed(scopes, { dependencies: true });
  // Every one parses: refuseMalformed parsed them all.
  const trees = mergeScopeTrees(scopes.map((s) => (parseScopeString(s) as Extract<ReturnType<typeof parseScopeString>, { ok: true }>).tree));
  return { scopes: trees.map((t) => t.scope), dependencies: trees.filter((t) => t.dependencies.length > 0) };
}

/** RFC 6749 section 3.3: a space-delimited list. Sound because a scope-token holds no space; never a scope-string. */
export const scopeString = (scopes: readonly string[]) => scopes.join(' ');

export const difference = (a: readonly string[], b: readonly string[]) => {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
};
export const intersection = (a: readonly string[], b: readonly string[]) => {
  const keep = new Set(b);
  return a.filter((x) => keep.has(x));
};
