import type { ScopeOwnerState } from '@ledger/domain';

/** A scope's owner as commands and queries return it (no HTTP types). */
export interface ScopeOwnerResult {
  scope: string;
  clientId: string;
  registeredAt: string;
}

export const scopeOwnerFromState = (state: ScopeOwnerState): ScopeOwnerResult | undefined =>
  state.status === 'owned' ? { scope: state.scope, clientId: state.clientId, registeredAt: state.registeredAt } : undefined;
