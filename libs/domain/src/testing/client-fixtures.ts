/** Client states that consent specs hand their commands as context, as the handlers read them. */
import type { ClientState, ClientStatus } from '../client/client';
import { FIXED_NOW } from './decider-spec';

/** A client registered a day before FIXED_NOW; allowedScopes null: any well-formed scope. */
export function clientState(allowedScopes: string[] | null = null, status: ClientStatus = 'active', clientId = 'transfer-app'): ClientState {
  const registeredAt = new Date(FIXED_NOW.getTime() - 86_400_000).toISOString();
  return { status, clientId, name: 'Transfer App', allowedScopes, termsUrl: null, registeredAt, updatedAt: registeredAt, notBefore: null, secrets: [] };
}
