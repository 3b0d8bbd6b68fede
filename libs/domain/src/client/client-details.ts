import { conflict, invalid, notFound } from '../shared/domain-error';
import { ClientState, ClientStatus, RegisteredClient } from './client';

/** The rules for a client's details, shared by RegisterClient and UpdateClient. */
export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) throw invalid('invalid_client_name', 'name must be 1-200 characters');
}

export function checkTermsUrl(termsUrl: unknown): asserts termsUrl is string | null {
  if (termsUrl !== null && (typeof termsUrl !== 'string' || !/^https?:\/\/[^\s]{1,2040}$/.test(termsUrl))) throw invalid('invalid_terms_url', 'termsUrl must be an http(s) URL');
}

/**
 * The client a lifecycle command acts on: it must have been registered, and not deleted (a delete is final).
 * The commands that create nothing answer an unknown client with 404, a deleted one with 409.
 */
export function existingClient(state: ClientState, clientId: string): RegisteredClient & { status: Exclude<ClientStatus, 'deleted'> } {
  if (state.status === 'unregistered') throw notFound('client_not_found', `Client ${clientId} is not registered`);
  if (state.status === 'deleted') throw conflict('client_deleted', `Client ${clientId} has been deleted; its id is never used again`);
  return state as RegisteredClient & { status: Exclude<ClientStatus, 'deleted'> };
}

/** The client a consent is granted to or a token issued for: registered and active. */
export function activeClient(state: ClientState, clientId: string): RegisteredClient {
  const client = existingClient(state, clientId);
  if (client.status === 'disabled') throw conflict('client_disabled', `Client ${clientId} is disabled: it gets no consent and no token until it is enabled`);
  return client;
}
