import { CommandMetadata } from '../shared/command-metadata';
import { ClientEvent, ClientState } from './client';
import { existingClient } from './client-details';

export interface DisableClient {
  type: 'DisableClient';
  data: { clientId: string };
}

/**
 * One event, whatever the number of consents and tokens: the token view ends every token of a disabled client at
 * lookup, and resource services hear one revocation. Disabling a disabled client is a no-op, so a retry is safe.
 */
export function disableClient(command: DisableClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId } = command.data;
  const client = existingClient(state, clientId);
  if (client.status === 'disabled') return [];
  return [{ type: 'ClientDisabled', data: { clientId, disabledAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
