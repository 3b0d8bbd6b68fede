/** Client aggregate: its events, its state and evolve, in one place. Stream: client-<clientId>. */

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

export const CLIENT_EVENT_TYPES: readonly ClientEvent['type'][] = ['ClientRegistered'];
