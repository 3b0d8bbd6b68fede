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

export interface TokenIssued {
  type: 'TokenIssued';
  data: ConsentRef & { tokenId: string; tokenHash: string; scopes: string[]; issuedAt: string; expiresAt: string };
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
    };

export const initialConsentState = (): ConsentState => ({ status: 'none', generation: 0 });

export function evolveConsent(state: ConsentState, event: ConsentEvent): ConsentState {
  switch (event.type) {
    case 'ConsentGranted': {
      const { consentId, userId, clientId, scopes, grantedAt } = event.data;
      return { status: 'active', generation: state.generation + 1, consentId, userId, clientId, scopes, grantedAt, tokens: new Map() };
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
      const { tokenId, tokenHash, scopes, issuedAt, expiresAt } = event.data;
      // Tokens that had expired when this one was issued can never matter to a decision again: drop them so that a
      // long-lived consent's state stays as small as its live tokens.
      const issuedAtMs = Date.parse(issuedAt);
      const tokens = new Map<string, TokenState>();
      for (const [id, t] of state.tokens) if (t.expiresAtMs > issuedAtMs) tokens.set(id, t);
      tokens.set(tokenId, { tokenHash, scopes, issuedAt, expiresAtMs: Date.parse(expiresAt), revoked: false });
      return { ...state, tokens };
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

/** Tokens that are neither revoked nor expired at `now`. */
export function liveTokens(state: ConsentState, now: Date): Array<[string, TokenState]> {
  if (state.status === 'none') return [];
  const nowMs = now.getTime();
  return [...state.tokens].filter(([, t]) => !t.revoked && t.expiresAtMs > nowMs);
}
