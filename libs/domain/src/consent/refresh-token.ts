import { clientAllows, ClientState } from '../client/client';
import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { TOKEN_ID_PATTERN } from '../shared/ids';
import { difference, normaliseScopes } from '../shared/scope';
import { ConsentEvent, consentExpired, ConsentState, RefreshTokenFamilyRevoked, revokedWithUser } from './consent';
import { DEFAULT_TOKEN_LIFETIME_S } from './issue-token';
import { type MintedIds, refreshTokenIssued, type RefreshLifetimes } from './refresh-lifetimes';

export interface RefreshToken {
  type: 'RefreshToken';
  /**
   * `tokenId`: the refresh token presented, as the handler found it by its hash. `byClient`: the OAuth client that
   * presents it, as it authenticated. `scopes`: RFC 6749 section 6's `scope`, absent for all the refresh token
   * carries. `access` and `refresh`: the new pair, minted by the handler (ids and hashes only).
   */
  data: { tokenId: string; byClient: string; scopes?: string[]; access: MintedIds; refresh: MintedIds };
  /**
   * Read by the handler, as for IssueToken: the client's state and the user's user-wide revocations.
   * `lookupActive`: whether the token view still holds the presented token active; it alone knows the cuts that
   * other streams make (not-before of a user, a client or the ledger). `lifetimes`: configuration.
   */
  context: { client: ClientState; userRevocations?: number; lookupActive: boolean; lifetimes: RefreshLifetimes };
}

/** RFC 6749 section 5.2: the grant is invalid, expired, revoked, or was issued to another client. One code for all. */
const invalidGrant = (message: string) => invalid('invalid_grant', message);

/**
 * The refresh token grant with rotation and reuse detection (RFC 9700 section 4.14.2). A use ends the token presented
 * and issues the next refresh token of its family, with the same scopes (RFC 6749 section 6), and an access token
 * with those or fewer. Presenting a token that a use already ended is reuse: the whole family ends, every access and
 * refresh token descended from its first, and the request is refused all the same (the handler answers
 * invalid_grant once the revocation is appended). Every other refusal is invalid_grant (or invalid_scope) and
 * appends nothing.
 *
 * The family lives on its consent's stream, so a use and any other command of the consent are decided one after the
 * other against the stream's revision: of two uses of one token exactly one wins (the other then finds it used), and
 * a use decided before a revocation has its tokens ended by it (docs/design.md, "Refresh tokens").
 */
export function refreshToken(command: RefreshToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { tokenId, byClient, access, refresh } = command.data;
  if (state.status === 'none') throw invalidGrant('The refresh token is unknown or has expired');
  const presented = state.refreshTokens.get(tokenId);
  if (!presented) throw invalidGrant('The refresh token is unknown or has expired');
  if (byClient !== state.clientId) throw invalidGrant('The refresh token was not issued to this client');
  if (state.status !== 'active' || revokedWithUser(state, command.context.userRevocations)) throw invalidGrant('The consent of this refresh token has been revoked');
  if (consentExpired(state, meta.now)) throw invalidGrant('The consent of this refresh token has expired');
  if (presented.status === 'used') return [familyRevoked(state, tokenId, presented.familyId, 'reuse', meta)];
  if (presented.status === 'revoked' || !command.context.lookupActive) throw invalidGrant('The refresh token has been revoked');
  if (presented.expiresAtMs <= meta.now.getTime()) throw invalidGrant('The refresh token has expired');
  if (!clientAllows(command.context.client, presented.scopes)) throw invalidGrant('The client is not active or no longer allows every scope of this refresh token');
  for (const minted of [access, refresh]) {
    if (!TOKEN_ID_PATTERN.test(minted.tokenId) || !/^[0-9a-f]{64}$/.test(minted.tokenHash) || state.tokens.has(minted.tokenId) || state.refreshTokens.has(minted.tokenId)) {
      throw new Error('RefreshToken needs two new token ids with SHA-256 hex hashes');
    }
  }
  const scopes = command.data.scopes === undefined ? presented.scopes : normaliseScopes(command.data.scopes, 'scope');
  const beyond = difference(scopes, presented.scopes);
  if (beyond.length > 0) throw invalid('invalid_scope', `The refresh token does not carry: ${beyond.join(' ')}`, { scopes: beyond });

  const { familyId, familyExpiresAtMs } = presented;
  const next = refreshTokenIssued(state, refresh, presented.scopes, meta.now, command.context.lifetimes, {
    familyId,
    familyExpiresAtMs,
    replaces: { tokenId, tokenHash: presented.tokenHash },
  });
  const accessEndMs = Math.min(meta.now.getTime() + DEFAULT_TOKEN_LIFETIME_S * 1000, state.expiresAt === null ? Infinity : Date.parse(state.expiresAt));
  const issued: ConsentEvent = {
    type: 'TokenIssued',
    data: {
      consentId: state.consentId,
      userId: state.userId,
      clientId: state.clientId,
      tokenId: access.tokenId,
      tokenHash: access.tokenHash,
      scopes,
      issuedAt: meta.now.toISOString(),
      expiresAt: new Date(accessEndMs).toISOString(),
      familyId,
    },
  };
  return [next, issued];
}

/** Ends every token of the family that is still live; `tokensEnded` counts them, for people. */
export function familyRevoked(
  state: Exclude<ConsentState, { status: 'none' }>,
  tokenId: string,
  familyId: string,
  cause: RefreshTokenFamilyRevoked['data']['cause'],
  meta: CommandMetadata,
): RefreshTokenFamilyRevoked {
  const nowMs = meta.now.getTime();
  let tokensEnded = 0;
  for (const t of state.refreshTokens.values()) if (t.familyId === familyId && t.status === 'live' && t.expiresAtMs > nowMs) tokensEnded++;
  for (const t of state.tokens.values()) if (t.familyId === familyId && !t.revoked && t.expiresAtMs > nowMs) tokensEnded++;
  const ref = { consentId: state.consentId, userId: state.userId, clientId: state.clientId };
  return { type: 'RefreshTokenFamilyRevoked', data: { ...ref, familyId, tokenId, cause, revokedAt: meta.now.toISOString(), reason: meta.reason ?? null, tokensEnded } };
}
