import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { RegisterScopeOwner, registerScopeOwner } from './register-scope-owner';
import { evolveScopeOwner, initialScopeOwnerState, ScopeOwnerEvent, ScopeOwnerState } from './scope-owner';

export type ScopeOwnerCommand = RegisterScopeOwner;

export function decideScopeOwner(command: ScopeOwnerCommand, state: ScopeOwnerState, meta: CommandMetadata): ScopeOwnerEvent[] {
  switch (command.type) {
    case 'RegisterScopeOwner':
      return registerScopeOwner(command, state, meta);
    default: {
      const _exhaustive: never = command.type;
      throw new Error(`Unknown scope-owner command ${String(_exhaustive)}`);
    }
  }
}

export const scopeOwnerDecider: Decider<ScopeOwnerState, ScopeOwnerCommand, ScopeOwnerEvent> = {
  initialState: initialScopeOwnerState,
  evolve: evolveScopeOwner,
  decide: decideScopeOwner,
};
