import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { ClientEvent, ClientState, evolveClient, initialClientState } from './client';
import { RegisterClient, registerClient } from './register-client';

export type ClientCommand = RegisterClient;

export function decideClient(command: ClientCommand, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient':
      return registerClient(command, state, meta);
    default: {
      const _exhaustive: never = command.type;
      throw new Error(`Unknown client command ${String(_exhaustive)}`);
    }
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: initialClientState,
  evolve: evolveClient,
  decide: decideClient,
};
