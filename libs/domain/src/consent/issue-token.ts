import { clientAllows, ClientState } from '../client/client';
import { activeClient } from '../client/client-details';
import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid, notFound, unprocessable } from '../shared/domain-error';
import { type ConsentId, TOKEN_ID_PATTERN } from '../shared/ids';
import { difference, intersection, normaliseScopes } from '../shared/scope';
import { ConsentEvent, consentExpired, ConsentState, IdempotentIssue, idempotentIssueOf, isTokenLive, revokedWithUser } from './consent';
import { DEFAULT_REFRESH_LIFETIMES, type MintedIds, refreshTokenIssued, type RefreshLifetimes } from './refresh-lifetimes';

export const DEFAULT_TOKEN_LIFETIME_S = 3600;
export const MAX_TOKEN_LIFETIME_S = 86_400;

export interface IssueToken {
  type: 'IssueToken';
  /**
   * The handler mints the raw token and passes only its id and SHA-256 hash: the decider stays pure and never sees
   * a secret.
   */
  data: { consent: ConsentId; tokenId: string; tokenHash: string; scopes?: string[]; expiresIn?: number; idempotency?: IdempotentRequest; refresh?: MintedIds };
  /**
   * The state of the consent's client, read by the handler: a disabled client gets no token, and a token carries
   * only scopes its client still allows. The client is another stream, so this is a read, not a lock; the token view
   * ends a token that slipped past a disable or a narrowing decided meanwhile (docs/design.md, "Clients").
   * `userRevocations`: the user-wide revocations of the consent's user so far (absent: none), read from the user's
   * stream; one the consent was not granted after revokes it, before its fan-out reaches the consent's stream.
   * `refreshLifetimes`: configuration, for the refresh token (absent: the defaults).
   */
  context: { client: ClientState; userRevocations?: number; refreshLifetimes?: RefreshLifetimes };
}

/**
 * A request under an Idempotency-Key. The handler derives the token from the key and this nonce; the nonce is used
 * only if no open window knows the key yet. The window length is configuration (LEDGER_IDEMPOTENCY_TTL_SECONDS).
 */
export interface IdempotentRequest {
  keyHash: string;
  fingerprint: string;
  nonce: string;
  windowSeconds: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A token carries scopes within a live consent and its active client's allowed scopes, never beyond them. Without
 * `scopes` it carries what the consent grants and the client still allows. Under an Idempotency-Key whose window is open, a
 * retry of the same request appends nothing (the handler answers with the token the window names) while that
 * token lives, and is refused once it has been revoked or has expired: a token id is issued once, never again.
 *
 * Where the consent allows refresh, the handler's `refresh` ids become the first refresh token of a new family
 * (refresh-token.ts), carrying the access token's scopes, and the access token belongs to that family; elsewhere
 * they are ignored.
 */
export function issueToken(command: IssueToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { consent, tokenId, tokenHash, idempotency } = command.data;
  const consentId = consent.id;
  if (state.status === 'none' || consent.generation > state.generation || !state.consentId.startsWith(`cns_${consent.pairKey}_`)) {
    throw notFound('consent_not_found', `Consent ${consentId} does not exist`);
  }
  if (idempotency) {
    checkIdempotentRequest(idempotency);
    // Before the consent's own checks: a retry under a consent revoked since is about its token, which has ended.
    const earlier = idempotentIssueOf(state, idempotency.keyHash, meta.now);
    if (earlier) {
      if (earlier.fingerprint !== idempotency.fingerprint) {
        throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used with a different request');
      }
      // A disable or a narrowing since has ended the token in the token view; the state of the consent cannot know.
      // (A scope narrowed and allowed again since is not seen here: the retry then answers with a token that
      // introspects inactive.)
      const scopes = state.tokens.get(earlier.tokenId)?.scopes ?? [];
      const live = isTokenLive(state, earlier.tokenId, meta.now) && !revokedWithUser(state, command.context.userRevocations);
      if (!live || !clientAllows(command.context.client, scopes)) {
        throw conflict('token_no_longer_active', 'The token issued for this Idempotency-Key has been revoked or has expired; it is never issued again', {
          tokenId: earlier.tokenId,
        });
      }
      return [];
    }
  }
  if (consent.generation < state.generation || state.status !== 'active') {
    throw conflict('consent_not_active', `Consent ${consentId} has been revoked`);
  }
  if (revokedWithUser(state, command.context.userRevocations)) {
    throw conflict('consent_not_active', `Consent ${consentId} has been revoked with every consent of its user`);
  }
  if (consentExpired(state, meta.now)) {
    throw conflict('consent_expired', `Consent ${consentId} expired at ${state.expiresAt}; a new grant starts a new consent`, { expiresAt: state.expiresAt });
  }
  const client = activeClient(command.context.client, state.clientId);
  if (!TOKEN_ID_PATTERN.test(tokenId) || !SHA256_HEX.test(tokenHash)) throw new Error('IssueToken needs a token id and a SHA-256 hex hash');
  // Token ids are random (or derived from a fresh random nonce): one the state knows means the handler reused one.
  if (state.tokens.has(tokenId)) throw new Error(`IssueToken with a token id that was already issued: ${tokenId}`);

  const expiresIn = command.data.expiresIn ?? DEFAULT_TOKEN_LIFETIME_S;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_TOKEN_LIFETIME_S) {
    throw invalid('invalid_expires_in', `expiresIn must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_S}`);
  }
  const allowed = client.allowedScopes;
  const scopes = command.data.scopes === undefined ? (allowed ? intersection(state.scopes, allowed) : state.scopes) : normaliseScopes(command.data.scopes);
  const beyond = difference(scopes, state.scopes);
  if (beyond.length > 0) {
    throw invalid('scope_not_consented', `Consent ${consentId} does not grant: ${beyond.join(' ')}`, { scopes: beyond });
  }
  if (scopes.length === 0) {
    throw invalid('scope_not_allowed', `Client ${state.clientId} no longer allows any scope of consent ${consentId}`, { scopes: state.scopes });
  }
  const notAllowed = allowed ? difference(scopes, allowed) : [];
  if (notAllowed.length > 0) {
    throw invalid('scope_not_allowed', `Client ${state.clientId} may not be granted: ${notAllowed.join(' ')}`, { scopes: notAllowed });
  }
  const issuedAt = meta.now.toISOString();
  // No token outlives its consent: one asked for longer ends with it.
  const tokenEndMs = meta.now.getTime() + expiresIn * 1000;
  const expiresAt = new Date(state.expiresAt === null ? tokenEndMs : Math.min(tokenEndMs, Date.parse(state.expiresAt))).toISOString();
  const { refresh } = command.data;
  const withRefresh = state.allowsRefresh && refresh !== undefined;
  if (withRefresh && (!TOKEN_ID_PATTERN.test(refresh.tokenId) || !SHA256_HEX.test(refresh.tokenHash) || refresh.tokenId === tokenId)) {
    throw new Error('IssueToken needs a refresh token id and SHA-256 hex hash of their own');
  }
  const family = withRefresh ? { familyId: refresh.tokenId } : {};
  const data = { consentId, userId: state.userId, clientId: state.clientId, tokenId, tokenHash, scopes, issuedAt, expiresAt, ...family };
  const refreshEvents: ConsentEvent[] = withRefresh ? [refreshTokenIssued(state, refresh, scopes, meta.now, command.context.refreshLifetimes ?? DEFAULT_REFRESH_LIFETIMES)] : [];
  if (!idempotency) return [{ type: 'TokenIssued', data }, ...refreshEvents];
  const { keyHash, fingerprint, nonce, windowSeconds } = idempotency;
  const until = new Date(meta.now.getTime() + windowSeconds * 1000).toISOString();
  const recorded: IdempotentIssue = { keyHash, fingerprint, nonce, until };
  return [{ type: 'TokenIssued', data: { ...data, idempotency: recorded } }, ...refreshEvents];
}

/** The handler builds these from validated configuration and hashes: a bad one is a programming error. */
function checkIdempotentRequest({ keyHash, fingerprint, nonce, windowSeconds }: IdempotentRequest): void {
  if (!SHA256_HEX.test(keyHash) || !SHA256_HEX.test(fingerprint) || !/^[0-9a-f]{32}$/.test(nonce)) {
    throw new Error('IssueToken idempotency needs SHA-256 hex key hash and fingerprint and a 128-bit hex nonce');
  }
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error('IssueToken idempotency needs a window of at least one whole second');
}
