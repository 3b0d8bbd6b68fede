import { ClientState } from '../client/client';
import { activeClient } from '../client/client-details';
import { CommandMetadata } from '../shared/command-metadata';
import { conflict, invalid } from '../shared/domain-error';
import { scopeTokenRule } from '../shared/scope-token';
import { ScopeOwnerEvent, ScopeOwnerState } from './scope-owner';

export interface RegisterScopeOwner {
  type: 'RegisterScopeOwner';
  data: { scope: string; clientId: string };
  /** Read by the handler: the client that declares it serves the scope must be registered and active. */
  context: { client: ClientState };
}

/**
 * A client declares that it serves a scope. The first owner keeps it: a second client is refused (409
 * scope_owned), since a dependent consent must know the one client it is for; the same client again is a no-op.
 * Ownership is not transferred here (a later command would, with its own event).
 */
export function registerScopeOwner(command: RegisterScopeOwner, state: ScopeOwnerState, meta: CommandMetadata): ScopeOwnerEvent[] {
  const { scope, clientId } = command.data;
  const rule = scopeTokenRule(scope);
  if (rule !== undefined) throw invalid('invalid_scope', `scope ${JSON.stringify(scope)} breaks ${rule}`, { scope, rule });
  activeClient(command.context.client, clientId);
  if (state.status === 'owned') {
    if (state.clientId === clientId) return [];
    throw conflict('scope_owned', `Scope ${scope} is served by another client`, { scope });
  }
  return [{ type: 'ScopeOwnerRegistered', data: { scope, clientId, registeredAt: meta.now.toISOString() } }];
}
