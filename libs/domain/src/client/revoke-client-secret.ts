import { CommandMetadata } from '../shared/command-metadata';
import { notFound } from '../shared/domain-error';
import { ClientEvent, ClientState } from './client';
import { existingClient } from './client-details';
import { isSecretValid } from './client-secrets';

export interface RevokeClientSecret {
  type: 'RevokeClientSecret';
  data: { clientId: string; secretId: string };
}

/**
 * Ends a secret at once, in its overlap window too. A secret that no longer authenticates (revoked, or past its
 * window) is left as it is: a retry is safe. The reason comes with the metadata.
 */
export function revokeClientSecret(command: RevokeClientSecret, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId, secretId } = command.data;
  const secret = existingClient(state, clientId).secrets.find((s) => s.secretId === secretId);
  if (!secret) throw notFound('client_secret_not_found', `Client ${clientId} has no secret ${secretId}`);
  if (!isSecretValid(secret, meta.now.getTime())) return [];
  return [{ type: 'ClientSecretRevoked', data: { clientId, secretId, revokedAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
