import type { ClientState, ClientStatus } from '@ledger/domain';
import type { ClientRow } from '@ledger/projections';

/** A client as commands and reads answer it: plain data, so that command files import nothing from HTTP. */
export interface ClientResult {
  id: string;
  name: string;
  allowedScopes: string[] | null;
  termsUrl: string | null;
  status: ClientStatus;
  registeredAt: string;
  updatedAt: string;
  revision: number;
  /** The client's not-before, as recorded for people; null: none. */
  notBefore: string | null;
}

export function clientFromState(state: ClientState, revision: number): ClientResult {
  if (state.status === 'unregistered') throw new Error('No client in this state');
  const { clientId, name, allowedScopes, termsUrl, status, registeredAt, updatedAt, notBefore } = state;
  return { id: clientId, name, allowedScopes, termsUrl, status, registeredAt, updatedAt, revision, notBefore };
}

export function clientFromView(row: ClientRow): ClientResult {
  const { clientId, name, allowedScopes, termsUrl, status, registeredAt, updatedAt, revision, notBefore } = row;
  return { id: clientId, name, allowedScopes, termsUrl, status, registeredAt, updatedAt, revision, notBefore };
}
