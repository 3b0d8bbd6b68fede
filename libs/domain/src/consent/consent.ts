/**
 * Consent aggregate: one stream per (user, client) pair (see shared/ids.ts), holding the pair's consents one
 * generation after another, and every token issued under them. The events are in consent-events.ts; state and evolve
 * live here; one decide function per command lives in a file named after the command.
 */
import type { ScopeTree } from '../shared/scope-string';
import { expiredAt } from './consent-expiry';
import type { ConsentEvent, EndedToken, IdempotentIssue } from './consent-events';
import { type DependentState, evolveDependents } from './dependent-consents';

export * from './consent-events';

export interface TokenState {
  tokenHash: string;
  scopes: string[];
  issuedAt: string;
  /** Epoch milliseconds, so the hot comparisons need no parsing. */
  expiresAtMs: number;
  revoked: boolean;
  /** The refresh-token family it was issued in, if any. */
  familyId?: string;
  /** A token exchange's: the dependent consent it was issued within, and the root's scope its chain hangs on. */
  dependentConsentId?: string;
  rootScope?: string;
}

/** 'used': a refresh ended it (presenting it again is reuse); 'revoked': anything else did. */
export interface RefreshTokenState {
  tokenHash: string;
  familyId: string;
  scopes: string[];
  expiresAtMs: number;
  familyExpiresAtMs: number;
  status: 'live' | 'used' | 'revoked';
}

/** A retry window still open, by key hash. The token it names may since have been revoked, expired or pruned. */
export interface IdempotentIssueState {
  tokenId: string;
  fingerprint: string;
  nonce: string;
  untilMs: number;
}

export type ConsentState =
  | { status: 'none'; generation: 0 }
  | {
      status: 'active';
      generation: number;
      consentId: string;
      userId: string;
      clientId: string;
      scopes: string[];
      /** The dependencies of each scope granted with some, by scope: the trees' children. */
      dependencies: ReadonlyMap<string, ScopeTree[]>;
      grantedAt: string;
      /** ConsentGranted.afterUserRevocation: a user-wide revocation numbered higher ends this consent. */
      afterUserRevocation: number;
      /** When the consent ends by itself (ISO); null: never. Past it, the consent is expired, though still 'active' here. */
      expiresAt: string | null;
      tokens: ReadonlyMap<string, TokenState>;
      idempotentIssues: ReadonlyMap<string, IdempotentIssueState>;
      /** ConsentGranted.allowsRefresh, or a later grant that turned it on. */
      allowsRefresh: boolean;
      /** The refresh tokens of the generation by id, until pruned after their expiry. */
      refreshTokens: ReadonlyMap<string, RefreshTokenState>;
      /** The dependent consents under this one, active or revoked, by id (dependent-consents.ts). */
      dependents: ReadonlyMap<string, DependentState>;
    }
  | {
      status: 'revoked';
      generation: number;
      consentId: string;
      userId: string;
      clientId: string;
      scopes: string[];
      dependencies: ReadonlyMap<string, ScopeTree[]>;
      grantedAt: string;
      afterUserRevocation: number;
      expiresAt: string | null;
      revokedAt: string;
      tokens: ReadonlyMap<string, TokenState>;
      idempotentIssues: ReadonlyMap<string, IdempotentIssueState>;
      /** ConsentGranted.allowsRefresh, or a later grant that turned it on. */
      allowsRefresh: boolean;
      /** The refresh tokens of the generation by id, until pruned after their expiry. */
      refreshTokens: ReadonlyMap<string, RefreshTokenState>;
      /** The dependent consents under this one, active or revoked, by id (dependent-consents.ts). */
      dependents: ReadonlyMap<string, DependentState>;
    };

export const initialConsentState = (): ConsentState => ({ status: 'none', generation: 0 });

/**
 * Folds one event. A consent can hold tens of thousands of tokens, so the token map and the retry windows are
 * extended and updated in place, and expired entries are pruned now and then rather than on every issue: copying the
 * map per event made a fold of 20,000 tokens quadratic (85 s) and every issue linear. The price is a rule every
 * caller keeps: a state is superseded by the one evolve returns and is not read again after it is evolved (a fold
 * holds only its latest state; the command executor caches only the newest).
 */
export function evolveConsent(state: ConsentState, event: ConsentEvent): ConsentState {
  switch (event.type) {
    case 'ConsentGranted': {
      const { consentId, userId, clientId, scopes, grantedAt } = event.data;
      const dependencies = withTrees(new Map(), event.data.dependencies);
      const afterUserRevocation = event.data.afterUserRevocation ?? 0;
      // Retry windows outlive the generation: a retry of an issue under the revoked consent must hear that its token
      // is gone, not be taken for a new request.
      const idempotentIssues = state.status === 'none' ? new Map() : openWindows(state.idempotentIssues as Map<string, IdempotentIssueState>, Date.parse(grantedAt), true);
      const expiresAt = event.data.expiresAt ?? null;
      const allowsRefresh = event.data.allowsRefresh === true;
      const fresh = { tokens: new Map(), idempotentIssues, allowsRefresh, refreshTokens: new Map(), dependents: new Map() };
      return { status: 'active', generation: state.generation + 1, consentId, userId, clientId, scopes, dependencies, grantedAt, afterUserRevocation, expiresAt, ...fresh };
    }
    case 'ConsentScopesExtended':
      if (state.status !== 'active') return state;
      return {
        ...state,
        scopes: event.data.scopes,
        dependencies: withTrees(new Map(state.dependencies), event.data.dependencies),
        expiresAt: event.data.expiresAt ?? state.expiresAt,
        allowsRefresh: state.allowsRefresh || event.data.allowsRefresh === true,
      };
    case 'ConsentScopesRevoked': {
      if (state.status !== 'active') return state;
      // A revoked scope's dependencies go with it: granted again, it starts from the tree its new grant names.
      const dependencies = new Map(state.dependencies);
      for (const scope of event.data.revokedScopes) dependencies.delete(scope);
      const { revokedScopes } = event.data;
      return { ...state, scopes: event.data.remainingScopes, dependencies, tokens: endCarrying(state.tokens, revokedScopes), refreshTokens: endRefreshCarrying(state.refreshTokens, revokedScopes) };
    }
    case 'ConsentRevoked':
      if (state.status !== 'active') return state;
      return { ...state, status: 'revoked', revokedAt: event.data.revokedAt, tokens: endCarrying(state.tokens, undefined), refreshTokens: endRefreshCarrying(state.refreshTokens, undefined) };
    case 'TokenIssued': {
      if (state.status !== 'active') return state;
      const { tokenId, tokenHash, scopes, issuedAt, expiresAt, idempotency, familyId, dependent } = event.data;
      // Tokens that had expired when this one was issued can never matter to a decision again: they are dropped now
      // and then, so that a long-lived consent's state stays about as small as its live tokens. A retry window that
      // names a dropped token stays open: it is what tells a late retry that its token is gone (issue-token.ts).
      const issuedAtMs = Date.parse(issuedAt);
      const tokens = pruneNowAndThen(state.tokens as Map<string, TokenState>, (t) => t.expiresAtMs > issuedAtMs);
      const chain = dependent ? { dependentConsentId: dependent.consentId, rootScope: dependent.rootScope } : {};
      tokens.set(tokenId, { tokenHash, scopes, issuedAt, expiresAtMs: Date.parse(expiresAt), revoked: false, ...(familyId ? { familyId } : {}), ...chain });
      const idempotentIssues = openWindows(state.idempotentIssues as Map<string, IdempotentIssueState>, issuedAtMs, false);
      if (idempotency) {
        const { keyHash, fingerprint, nonce, until } = idempotency;
        idempotentIssues.set(keyHash, { tokenId, fingerprint, nonce, untilMs: Date.parse(until) });
      }
      return { ...state, tokens, idempotentIssues };
    }
    case 'TokenRevoked': {
      if (state.status === 'none') return state;
      return { ...state, tokens: endTokens(state.tokens, [event.data]) };
    }
    case 'RefreshTokenIssued': {
      if (state.status !== 'active') return state;
      const { tokenId, tokenHash, familyId, scopes, issuedAt, expiresAt, familyExpiresAt, replaces } = event.data;
      // A used token is kept until it expires, so that presenting it again is recognised as reuse; then it goes.
      const issuedAtMs = Date.parse(issuedAt);
      const refreshTokens = pruneNowAndThen(state.refreshTokens as Map<string, RefreshTokenState>, (t) => t.expiresAtMs > issuedAtMs);
      const replaced = replaces && refreshTokens.get(replaces.tokenId);
      if (replaced) refreshTokens.set(replaces.tokenId, { ...replaced, status: 'used' });
      refreshTokens.set(tokenId, { tokenHash, familyId, scopes, expiresAtMs: Date.parse(expiresAt), familyExpiresAtMs: Date.parse(familyExpiresAt), status: 'live' });
      return { ...state, refreshTokens };
    }
    case 'RefreshTokenFamilyRevoked': {
      if (state.status === 'none') return state;
      const { familyId } = event.data;
      const refreshTokens = state.refreshTokens as Map<string, RefreshTokenState>;
      for (const [id, t] of refreshTokens) if (t.familyId === familyId) refreshTokens.set(id, { ...t, status: 'revoked' });
      const tokens = state.tokens as Map<string, TokenState>;
      for (const [id, t] of tokens) if (t.familyId === familyId) tokens.set(id, { ...t, revoked: true });
      return { ...state, tokens, refreshTokens };
    }
    case 'DependentConsentGranted':
    case 'DependentConsentRevoked': {
      if (state.status === 'none') return state;
      const dependents = evolveDependents(state.dependents as Map<string, DependentState>, event);
      if (event.type === 'DependentConsentRevoked') endDependentTokens(state.tokens as Map<string, TokenState>, event.data.dependentConsentId);
      return { ...state, dependents };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** Sets each tree's dependencies under its scope: an event names a scope's whole tree, never a part of it. */
function withTrees(map: Map<string, ScopeTree[]>, trees: readonly ScopeTree[] | undefined): ReadonlyMap<string, ScopeTree[]> {
  for (const tree of trees ?? []) map.set(tree.scope, tree.dependencies);
  return map;
}

/** Every token so far that carries one of `scopes` (undefined: every token) ends: the revocation's predicate. */
function endCarrying(tokens: ReadonlyMap<string, TokenState>, scopes: readonly string[] | undefined): ReadonlyMap<string, TokenState> {
  const revoked = scopes && new Set(scopes);
  const map = tokens as Map<string, TokenState>;
  for (const [id, t] of map) if (!t.revoked && (!revoked || carriedScopes(t).some((s) => revoked.has(s)))) map.set(id, { ...t, revoked: true });
  return map;
}

/** What revoking a scope of the consent matches a token on: a dependent token hangs on its root's scope. */
export const carriedScopes = (t: TokenState): readonly string[] => (t.rootScope === undefined ? t.scopes : [t.rootScope]);

function endDependentTokens(tokens: Map<string, TokenState>, dependentConsentId: string): void {
  for (const [id, t] of tokens) if (t.dependentConsentId === dependentConsentId && !t.revoked) tokens.set(id, { ...t, revoked: true });
}

/** The refresh-token side of endCarrying: a used token stays used (its reuse still ends what is left of the family). */
function endRefreshCarrying(tokens: ReadonlyMap<string, RefreshTokenState>, scopes: readonly string[] | undefined): ReadonlyMap<string, RefreshTokenState> {
  const revoked = scopes && new Set(scopes);
  const map = tokens as Map<string, RefreshTokenState>;
  for (const [id, t] of map) if (t.status === 'live' && (!revoked || t.scopes.some((s) => revoked.has(s)))) map.set(id, { ...t, status: 'revoked' });
  return map;
}

function endTokens(tokens: ReadonlyMap<string, TokenState>, ended: readonly EndedToken[]): ReadonlyMap<string, TokenState> {
  const map = tokens as Map<string, TokenState>;
  for (const { tokenId } of ended) {
    const t = map.get(tokenId);
    if (t) map.set(tokenId, { ...t, revoked: true });
  }
  return map;
}

/** The size at which a map is next pruned, by map: kept beside the state so that the state's shape stays plain. */
const nextPrune = new WeakMap<Map<string, unknown>, number>();
const MIN_PRUNE_SIZE = 64;

/**
 * Drops the entries that fail `keep` once the map has doubled since it was last pruned: each prune costs the size of
 * the map, so pruning costs a constant per insert however large the consent grows.
 */
function pruneNowAndThen<V>(map: Map<string, V>, keep: (v: V) => boolean): Map<string, V> {
  if (map.size < (nextPrune.get(map) ?? MIN_PRUNE_SIZE)) return map;
  for (const [key, v] of map) if (!keep(v)) map.delete(key);
  nextPrune.set(map, Math.max(MIN_PRUNE_SIZE, 2 * map.size));
  return map;
}

/**
 * The retry windows still open at `atMs`. A new generation starts from a copy of them (`copy`), so that the windows
 * outlive it without the earlier generation's map being shared; otherwise closed windows are dropped now and then.
 */
function openWindows(windows: Map<string, IdempotentIssueState>, atMs: number, copy: boolean): Map<string, IdempotentIssueState> {
  if (!copy) return pruneNowAndThen(windows, (w) => w.untilMs > atMs);
  const open = new Map<string, IdempotentIssueState>();
  for (const [keyHash, w] of windows) if (w.untilMs > atMs) open.set(keyHash, w);
  return open;
}

/** The issue an Idempotency-Key stands for at `now`, if its window is still open. */
export function idempotentIssueOf(state: ConsentState, keyHash: string, now: Date): IdempotentIssueState | undefined {
  if (state.status === 'none') return undefined;
  const issue = state.idempotentIssues.get(keyHash);
  return issue && issue.untilMs > now.getTime() ? issue : undefined;
}

/**
 * Whether a token is live at `now`. A token missing from the state is not: the state drops a token only once it
 * has expired, or with the whole generation after a full revocation.
 */
export function isTokenLive(state: ConsentState, tokenId: string, now: Date): boolean {
  const t = state.status === 'none' ? undefined : state.tokens.get(tokenId);
  return t !== undefined && !t.revoked && t.expiresAtMs > now.getTime() && !consentExpired(state, now);
}

/**
 * Whether the consent has reached its expiry by `now`. No event says so: an expired consent is one whose expiry
 * has passed, for every reader at once. A revoked consent is revoked, whatever its expiry.
 */
export function consentExpired(state: ConsentState, now: Date): boolean {
  return state.status === 'active' && expiredAt(state.expiresAt, now);
}

/**
 * Whether a user-wide revocation the consent's stream has not recorded yet ends the consent: the user has had more
 * of them (`userRevocations`, read from the user's stream) than the consent was granted after. Its fan-out will
 * append the ConsentRevoked; until then the consent is revoked all the same.
 */
export function revokedWithUser(state: ConsentState, userRevocations: number | undefined): boolean {
  return state.status === 'active' && (userRevocations ?? 0) > state.afterUserRevocation;
}

/** Tokens that are neither revoked nor expired at `now`. */
export function liveTokens(state: ConsentState, now: Date): Array<[string, TokenState]> {
  if (state.status === 'none' || consentExpired(state, now)) return [];
  const nowMs = now.getTime();
  return [...state.tokens].filter(([, t]) => !t.revoked && t.expiresAtMs > nowMs);
}
