import { CommandMetadata } from '../shared/command-metadata';
import { ConsentEvent, ConsentState } from './consent';

export interface RevokeToken {
  type: 'RevokeToken';
  /** The reason, like the actor, comes with the metadata. */
  data: { tokenId: string };
}

/**
 * RFC 7009 semantics: revoking an unknown, expired or already revoked token succeeds and changes nothing, so the
 * caller learns nothing about which tokens exist.
 */
export function revokeToken(command: RevokeToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  if (state.status === 'none') return [];
  const token = state.tokens.get(command.data.tokenId);
  if (!token || token.revoked || token.expiresAtMs <= meta.now.getTime()) return [];
  return [
    {
      type: 'TokenRevoked',
      data: {
        consentId: state.consentId,
        userId: state.userId,
        clientId: state.clientId,
        tokenId: command.data.tokenId,
        tokenHash: token.tokenHash,
        revokedAt: meta.now.toISOString(),
        reason: meta.reason ?? null,
      },
    },
  ];
}
