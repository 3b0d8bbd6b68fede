import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { ConsentEvent, consentExpired, ConsentState } from './consent';
import { familyRevoked } from './refresh-token';

export interface RevokeToken {
  type: 'RevokeToken';
  /**
   * `byClient`: the OAuth client that asks (RFC 7009), as it authenticated; absent when staff revoke by token id.
   * The reason, like the actor, comes with the metadata.
   */
  data: { tokenId: string; byClient?: string };
}

/**
 * RFC 7009 semantics: revoking an unknown, expired or already revoked token succeeds and changes nothing, so the
 * caller learns nothing about which tokens exist.
 *
 * Only the client a token was issued to may revoke it through RFC 7009: section 2.1 has the server verify that and
 * refuse the request otherwise. The refusal comes first, whatever became of the token, so that it does not depend on
 * whether the token still lives. A token of a consent's stream belongs to the consent's client, except a dependent
 * token (token exchange), which belongs to its dependent consent's client: that service revokes it, the root's client
 * does not. (A dependent token pruned from the state after its expiry is taken for the root client's: it has ended.)
 *
 * A refresh token's revocation ends its whole family, the access tokens issued from it included (RFC 7009 section
 * 2.1: the access tokens "based on the same authorization grant"), when anything of the family is still live.
 */
export function revokeToken(command: RevokeToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  if (state.status === 'none') return [];
  const { byClient } = command.data;
  const token = state.tokens.get(command.data.tokenId);
  const owner = (token?.dependentConsentId !== undefined && state.dependents.get(token.dependentConsentId)?.clientId) || state.clientId;
  if (byClient !== undefined && byClient !== owner) throw invalid('token_not_owned', 'The token was not issued to this client');
  const refresh = state.refreshTokens.get(command.data.tokenId);
  if (refresh) {
    const ended = familyRevoked(state, command.data.tokenId, refresh.familyId, 'revocation', meta);
    return ended.data.tokensEnded > 0 && !consentExpired(state, meta.now) ? [ended] : [];
  }
  // A token of an expired consent has ended with it (its own expiry may be later, if the consent's was brought forward).
  if (!token || token.revoked || token.expiresAtMs <= meta.now.getTime() || consentExpired(state, meta.now)) return [];
  return [
    {
      type: 'TokenRevoked',
      data: {
        consentId: state.consentId,
        userId: state.userId,
        clientId: owner,
        tokenId: command.data.tokenId,
        tokenHash: token.tokenHash,
        revokedAt: meta.now.toISOString(),
        reason: meta.reason ?? null,
      },
    },
  ];
}
