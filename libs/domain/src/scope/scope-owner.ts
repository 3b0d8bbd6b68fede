/**
 * Scope-owner aggregate: which client serves a scope. Stream: scope-<scopeKey> (ids.ts), one per scope, so that
 * "a scope has at most one owner" is decided on one stream with an expected revision, as Globus Auth has resource
 * servers declare the scopes they serve. A dependency in a grant (`a[b]`) is a request to the owner of `a` to act
 * on `b` for the user: the owner is the client that a dependent consent is for (issue #15).
 */
import type { Assert, SameMembers } from '../shared/event-types';

export interface ScopeOwnerRegistered {
  type: 'ScopeOwnerRegistered';
  data: { scope: string; clientId: string; registeredAt: string };
}

export type ScopeOwnerEvent = ScopeOwnerRegistered;

/** Every scope-owner event type, once (the build checks it is the union). None ends a token. */
export const SCOPE_OWNER_EVENT_TYPES = ['ScopeOwnerRegistered'] as const;
type _ScopeOwnerEventTypes = Assert<SameMembers<(typeof SCOPE_OWNER_EVENT_TYPES)[number], ScopeOwnerEvent['type']>>;

export type ScopeOwnerState = { status: 'none' } | { status: 'owned'; scope: string; clientId: string; registeredAt: string };

export const initialScopeOwnerState = (): ScopeOwnerState => ({ status: 'none' });

export function evolveScopeOwner(state: ScopeOwnerState, event: ScopeOwnerEvent): ScopeOwnerState {
  switch (event.type) {
    case 'ScopeOwnerRegistered':
      return { status: 'owned', ...event.data };
    default: {
      const _exhaustive: never = event.type;
      return state;
    }
  }
}

/** The client that serves the scope, or null while none has registered it. */
export const scopeOwnerOf = (state: ScopeOwnerState): string | null => (state.status === 'owned' ? state.clientId : null);
