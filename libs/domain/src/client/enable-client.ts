import { CommandMetadata } from '../shared/command-metadata';
import { ClientEvent, ClientState } from './client';
import { existingClient } from './client-details';

export interface EnableClient {
  type: 'EnableClient';
  data: { clientId: string };
}

/** Lets the client get consents and tokens again. Nothing comes back: tokens it had before stay ended. */
export function enableClient(command: EnableClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId } = command.data;
  const client = existingClient(state, clientId);
  if (client.status === 'active') return [];
  return [{ type: 'ClientEnabled', data: { clientId, enabledAt: meta.now.toISOString() } }];
}
