import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid } from '../shared/domain-error';
import { CLIENT_ID_PATTERN } from '../shared/ids';
import { normaliseScopes } from '../shared/scope';
import { ClientEvent, ClientState } from './client';
import { checkName, checkTermsUrl, existingClient } from './client-details';

export interface RegisterClient {
  type: 'RegisterClient';
  data: { clientId: string; name: string; allowedScopes?: string[]; termsUrl?: string };
}

/**
 * Registering the same client with the same details again is a no-op, so that a retried registration is safe.
 * Different details under a taken id are a conflict: changing a client is a different, explicit command. A deleted
 * client's id is taken for good: its history names it, and a new client under it would inherit that history.
 */
export function registerClient(command: RegisterClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId, name } = command.data;
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) throw invalid('invalid_client_id', 'clientId must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  checkName(name);
  const allowedScopes = command.data.allowedScopes === undefined ? null : normaliseScopes(command.data.allowedScopes, 'allowedScopes');
  const termsUrl = command.data.termsUrl ?? null;
  checkTermsUrl(termsUrl);

  if (state.status !== 'unregistered') {
    const client = existingClient(state, clientId);
    const same =
      client.name === name && client.termsUrl === termsUrl && JSON.stringify(client.allowedScopes) === JSON.stringify(allowedScopes);
    if (same) return [];
    throw conflict('client_already_registered', `Client ${clientId} is already registered with other details`);
  }
  return [{ type: 'ClientRegistered', data: { clientId, name, allowedScopes, termsUrl, registeredAt: meta.now.toISOString() } }];
}
