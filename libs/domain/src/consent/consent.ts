/**
 * Consent aggregate: one stream per (user, client) pair (see shared/ids.ts), holding the pair's consents one
 * generation after another, and every token issued under them. Events, state and evolve live here; one decide
 * function per command lives in a file named after the command.
 */
import type { Assert, SameMembers } from '../shared/event-types';

export interface EndedToken {
  tokenId: string;
  /** SHA-256 hex of the raw token; the raw token is never stored. */
  tokenHash: string;
}

interface ConsentRef {
  consentId: string;
  userId: string;
  clientId: string;
}

export interface ConsentGranted {
  type: 'ConsentGranted';
  data: ConsentRef & { scopes: string[]; grantedAt: string };
}

export interface ConsentScopesExtended {
  type: 'ConsentScopesExtended';
  data: ConsentRef & { addedScopes: string[]; scopes: string[]; extendedAt: string };
}

/** Some scopes revoked, others remain; every live token carrying a revoked scope ended with it. */
export interface ConsentScopesRevoked {
  type: 'ConsentScopesRevoked';
  data: ConsentRef & { revokedScopes: string[]; remainingScopes: string[]; endedTokens: EndedToken[]; revokedAt: string; reason: string | null };
}

/** The whole consent revoked; every live token under it ended. */
export interface ConsentRevoked {
  type: 'ConsentRevoked';
  data: ConsentRef & { revokedScopes: string[]; endedTokens: EndedToken[]; revokedAt: string; reason: string | null };
}

/**
 * What an issue under an Idempotency-Key records, so that every instance reading the stream recognises a retry. No
 * secret: the raw token is derived from the caller's key, this nonce and a token key that never enters the log.
 */
export interface IdempotentIssue {
  /** SHA-256 hex of (actor, route, Idempotency-Key). */
  keyHash: string;
  /** SHA-256 hex of the canonical request: the same key with another request is refused. */
  fingerprint: string;
  /** 128 random bits (hex) chosen at the first issue: after the window the same key derives another token. */
  nonce: string;
  /** Until this instant a retry with the key answers with this token (or says why it no longer can). */
  until: string;
}

export interface TokenIssued {
  type: 'TokenIssued';
  /** `idempotency` is absent on tokens issued without an Idempotency-Key (and on every token issued before it existed). */
  data: ConsentRef & { tokenId: string; tokenHash: string; scopes: string[]; issuedAt: string; expiresAt: string; idempotency?: IdempotentIssue };
}

export interface TokenRevoked {
  type: 'TokenRevoked';
  data: ConsentRef & { tokenId: string; tokenHash: string; revokedAt: string; reason: string | null };
}

export type ConsentEvent = ConsentGranted | ConsentScopesExtended | ConsentScopesRevoked | ConsentRevoked | TokenIssued | TokenRevoked;

/** Every consent event type, once: the one list that subscriptions filter on (the build checks it is the union). */
export const CONSENT_EVENT_TYPES = ['ConsentGranted', 'ConsentScopesExtended', 'ConsentScopesRevoked', 'ConsentRevoked', 'TokenIssued', 'TokenRevoked'] as const;
type _ConsentEventTypes = Assert<SameMembers<(typeof CONSENT_EVENT_TYPES)[number], ConsentEvent['type']>>;

/** The events that end tokens: what resource services must hear about at once. */
export const REVOCATION_EVENT_TYPES = ['ConsentRevoked', 'ConsentScopesRevoked', 'TokenRevoked'] as const satisfies readonly ConsentEvent['type'][];
export type RevocationEvent = ConsentRevoked | ConsentScopesRevoked | TokenRevoked;
type _RevocationEventTypes = Assert<SameMembers<(typeof REVOCATION_EVENT_TYPES)[number], RevocationEvent['type']>>;

export interface TokenState {
  tokenHash: string;
  scopes: string[];
  issuedAt: string;
  /** Epoch milliseconds, so the hot comparisons need no parsing. */
  expiresAtMs: number;
  revoked: boolean;
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
      grantedAt: string;
      tokens: ReadonlyMap<string, TokenState>;
      idempotentIssues: ReadonlyMap<string, IdempotentIssueState>;
    }
  | {
      status: 'revoked';
      generation: number;
      consentId: string;
      userId: string;
      clientId: string;
      scopes: string[];
      grantedAt: string;
      revokedAt: string;
      tokens: ReadonlyMap<string, TokenState>;
      idempotentIssues: ReadonlyMap<string, IdempotentIssueState>;
    };

export const initialConsentState = (): ConsentState => ({ status: 'none', generation: 0 });

export function evolveConsent(state: ConsentState, event: ConsentEvent): ConsentState {
  switch (event.type) {
    case 'ConsentGranted': {
      const { consentId, userId, clientId, scopes, grantedAt } = event.data;
      // Retry windows outlive the generation: a retry of an issue under the revoked consent must hear that its token
      // is gone, not be taken for a new request.
      const idempotentIssues = state.status === 'none' ? new Map() : openWindows(state.idempotentIssues, Date.parse(grantedAt));
      return { status: 'active', generation: state.generation + 1, consentId, userId, clientId, scopes, grantedAt, tokens: new Map(), idempotentIssues };
    }
    case 'ConsentScopesExtended':
      if (state.status !== 'active') return state;
      return { ...state, scopes: event.data.scopes };
    case 'ConsentScopesRevoked':
      if (state.status !== 'active') return state;
      return { ...state, scopes: event.data.remainingScopes, tokens: endTokens(state.tokens, event.data.endedTokens) };
    case 'ConsentRevoked':
      if (state.status !== 'active') return state;
      return { ...state, status: 'revoked', revokedAt: event.data.revokedAt, tokens: endTokens(state.tokens, event.data.endedTokens) };
    case 'TokenIssued': {
      if (state.status !== 'active') return state;
      const { tokenId, tokenHash, scopes, issuedAt, expiresAt, idempotency } = event.data;
      // Tokens that had expired when this one was issued can never matter to a decision again: drop them so that a
      // long-lived consent's state stays as small as its live tokens. A retry window that names a dropped token
      // stays open: it is what tells a late retry that its token is gone (issue-token.ts).
      const issuedAtMs = Date.parse(issuedAt);
      const tokens = new Map<string, TokenState>();
      for (const [id, t] of state.tokens) if (t.expiresAtMs > issuedAtMs) tokens.set(id, t);
      tokens.set(tokenId, { tokenHash, scopes, issuedAt, expiresAtMs: Date.parse(expiresAt), revoked: false });
      const idempotentIssues = openWindows(state.idempotentIssues, issuedAtMs);
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
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function endTokens(tokens: ReadonlyMap<string, TokenState>, ended: readonly EndedToken[]): ReadonlyMap<string, TokenState> {
  if (ended.length === 0) return tokens;
  const next = new Map(tokens);
  for (const { tokenId } of ended) {
    const t = next.get(tokenId);
    if (t) next.set(tokenId, { ...t, revoked: true });
  }
  return next;
}

/** The retry windows still open at `atMs` (a copy, so that evolve never mutates the state it was given). */
function openWindows(windows: ReadonlyMap<string, IdempotentIssueState>, atMs: number): Map<string, IdempotentIssueState> {
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
  return t !== undefined && !t.revoked && t.expiresAtMs > now.getTime();
}

/** Tokens that are neither revoked nor expired at `now`. */
export function liveTokens(state: ConsentState, now: Date): Array<[string, TokenState]> {
  if (state.status === 'none') return [];
  const nowMs = now.getTime();
  return [...state.tokens].filter(([, t]) => !t.revoked && t.expiresAtMs > nowMs);
}
