import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { AddClientSecret, addClientSecret } from './add-client-secret';
import { ClientEvent, ClientState, evolveClient, initialClientState } from './client';
import { DeleteClient, deleteClient } from './delete-client';
import { DisableClient, disableClient } from './disable-client';
import { EnableClient, enableClient } from './enable-client';
import { RegisterClient, registerClient } from './register-client';
import { RevokeClientSecret, revokeClientSecret } from './revoke-client-secret';
import { SetClientNotBefore, setClientNotBefore } from './set-client-not-before';
import { UpdateClient, updateClient } from './update-client';

export type ClientCommand =
  | RegisterClient
  | UpdateClient
  | DisableClient
  | EnableClient
  | SetClientNotBefore
  | DeleteClient
  | AddClientSecret
  | RevokeClientSecret;

export function decideClient(command: ClientCommand, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient':
      return registerClient(command, state, meta);
    case 'UpdateClient':
      return updateClient(command, state, meta);
    case 'DisableClient':
      return disableClient(command, state, meta);
    case 'EnableClient':
      return enableClient(command, state, meta);
    case 'SetClientNotBefore':
      return setClientNotBefore(command, state, meta);
    case 'DeleteClient':
      return deleteClient(command, state, meta);
    case 'AddClientSecret':
      return addClientSecret(command, state, meta);
    case 'RevokeClientSecret':
      return revokeClientSecret(command, state, meta);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown client command ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: initialClientState,
  evolve: evolveClient,
  decide: decideClient,
};
