import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid, notFound } from '../shared/domain-error';
import { parseConsentId, TOKEN_ID_PATTERN } from '../shared/ids';
import { difference, normaliseScopes } from '../shared/scope';
import { ConsentEvent, ConsentState } from './consent';

export const DEFAULT_TOKEN_LIFETIME_S = 3600;
export const MAX_TOKEN_LIFETIME_S = 86_400;

export interface IssueToken {
  type: 'IssueToken';
  /**
   * The handler mints the raw token and passes only its id and SHA-256 hash: the decider stays pure and never sees
   * a secret.
   */
  data: { consentId: string; tokenId: string; tokenHash: string; scopes?: string[]; expiresIn?: number };
}

/** A token carries scopes within a live consent, never beyond it. Re-issuing a known token id is a no-op (retries). */
export function issueToken(command: IssueToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { consentId, tokenId, tokenHash } = command.data;
  const parsed = parseConsentId(consentId);
  if (!parsed || state.status === 'none' || parsed.generation > state.generation || !state.consentId.startsWith(`cns_${parsed.pairKey}_`)) {
    throw notFound('consent_not_found', `Consent ${consentId} does not exist`);
  }
  if (parsed.generation < state.generation || state.status !== 'active') {
    throw conflict('consent_not_active', `Consent ${consentId} has been revoked`);
  }
  if (!TOKEN_ID_PATTERN.test(tokenId) || !/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error('IssueToken needs a token id and a SHA-256 hex hash');
  if (state.tokens.has(tokenId)) return [];

  const expiresIn = command.data.expiresIn ?? DEFAULT_TOKEN_LIFETIME_S;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_TOKEN_LIFETIME_S) {
    throw invalid('invalid_expires_in', `expiresIn must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_S}`);
  }
  const scopes = command.data.scopes === undefined ? state.scopes : normaliseScopes(command.data.scopes);
  const beyond = difference(scopes, state.scopes);
  if (beyond.length > 0) {
    throw invalid('scope_not_consented', `Consent ${consentId} does not grant: ${beyond.join(' ')}`, { scopes: beyond });
  }
  const issuedAt = meta.now.toISOString();
  const expiresAt = new Date(meta.now.getTime() + expiresIn * 1000).toISOString();
  return [
    {
      type: 'TokenIssued',
      data: { consentId, userId: state.userId, clientId: state.clientId, tokenId, tokenHash, scopes, issuedAt, expiresAt },
    },
  ];
}
