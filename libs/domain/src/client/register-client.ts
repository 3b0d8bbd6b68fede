import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid } from '../shared/domain-error';
import { CLIENT_ID_PATTERN } from '../shared/ids';
import { normaliseScopes } from '../shared/scope';
import { ClientEvent, ClientState } from './client';

export interface RegisterClient {
  type: 'RegisterClient';
  data: { clientId: string; name: string; allowedScopes?: string[]; termsUrl?: string };
}

/**
 * Registering the same client with the same details again is a no-op, so that a retried registration is safe.
 * Different details under a taken id are a conflict: changing a client is a different, explicit command.
 */
export function registerClient(command: RegisterClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId, name } = command.data;
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) throw invalid('invalid_client_id', 'clientId must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) throw invalid('invalid_client_name', 'name must be 1-200 characters');
  const allowedScopes = command.data.allowedScopes === undefined ? null : normaliseScopes(command.data.allowedScopes, 'allowedScopes');
  const termsUrl = command.data.termsUrl ?? null;
  if (termsUrl !== null && (typeof termsUrl !== 'string' || !/^https?:\/\/[^\s]{1,2040}$/.test(termsUrl))) throw invalid('invalid_terms_url', 'termsUrl must be an http(s) URL');

  if (state.status === 'registered') {
    const same =
      state.name === name && state.termsUrl === termsUrl && JSON.stringify(state.allowedScopes) === JSON.stringify(allowedScopes);
    if (same) return [];
    throw conflict('client_already_registered', `Client ${clientId} is already registered with other details`);
  }
  return [{ type: 'ClientRegistered', data: { clientId, name, allowedScopes, termsUrl, registeredAt: meta.now.toISOString() } }];
}
