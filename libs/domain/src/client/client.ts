/** Client aggregate: its events, its state and evolve, in one place. Stream: client-<clientId>. */
import type { Assert, SameMembers } from '../shared/event-types';

export interface ClientRegistered {
  type: 'ClientRegistered';
  data: {
    clientId: string;
    name: string;
    /** Scopes this client may ever be granted; null means any well-formed scope. */
    allowedScopes: string[] | null;
    termsUrl: string | null;
    registeredAt: string;
  };
}

export type ClientEvent = ClientRegistered;

/** Every client event type, once: the one list that subscriptions filter on (the build checks it is the union). */
export const CLIENT_EVENT_TYPES = ['ClientRegistered'] as const;
type _ClientEventTypes = Assert<SameMembers<(typeof CLIENT_EVENT_TYPES)[number], ClientEvent['type']>>;

export type ClientState =
  | { status: 'unregistered' }
  | { status: 'registered'; clientId: string; name: string; allowedScopes: string[] | null; termsUrl: string | null; registeredAt: string };

export const initialClientState = (): ClientState => ({ status: 'unregistered' });

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'ClientRegistered':
      return { status: 'registered', ...event.data };
    default: {
      const _exhaustive: never = event.type;
      return state;
    }
  }
}
