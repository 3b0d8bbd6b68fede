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

/** The client's name or terms URL changed; both carry their value after the change. */
export interface ClientUpdated {
  type: 'ClientUpdated';
  data: { clientId: string; name: string; termsUrl: string | null; updatedAt: string };
}

/** Scopes the client may be granted again or for the first time. Tokens ended before stay ended (docs/design.md). */
export interface ClientScopesAllowed {
  type: 'ClientScopesAllowed';
  data: { clientId: string; addedScopes: string[]; allowedScopes: string[]; allowedAt: string };
}

/**
 * Scopes taken from the client: from now on no consent of the client grants them and no token carries them, whenever
 * it was issued. `revokedScopes` is null when the client allowed any scope until now: then every scope outside
 * `allowedScopes` is revoked, which no list can name.
 */
export interface ClientScopesRevoked {
  type: 'ClientScopesRevoked';
  data: { clientId: string; revokedScopes: string[] | null; allowedScopes: string[]; revokedAt: string; reason: string | null };
}

/** Every token of the client is inactive while it is disabled, and no consent or token is given to it. */
export interface ClientDisabled {
  type: 'ClientDisabled';
  data: { clientId: string; disabledAt: string; reason: string | null };
}

/** The client may get consents and tokens again; tokens that ended while it was disabled stay ended. */
export interface ClientEnabled {
  type: 'ClientEnabled';
  data: { clientId: string; enabledAt: string };
}

/**
 * Every token of the client issued before this event (earlier in the log), of every user, is inactive; `notBefore`
 * is for people (shared/not-before.ts). The client stays as it was otherwise.
 */
export interface ClientNotBeforeSet {
  type: 'ClientNotBeforeSet';
  data: { clientId: string; notBefore: string; setAt: string; reason: string | null };
}

/** A disable that is never undone. Always follows a ClientDisabled; the stream, and the id, stay taken. */
export interface ClientDeleted {
  type: 'ClientDeleted';
  data: { clientId: string; deletedAt: string; reason: string | null };
}

export type ClientEvent =
  | ClientRegistered
  | ClientUpdated
  | ClientScopesAllowed
  | ClientScopesRevoked
  | ClientDisabled
  | ClientEnabled
  | ClientNotBeforeSet
  | ClientDeleted;

/** Every client event type, once: the one list that subscriptions filter on (the build checks it is the union). */
export const CLIENT_EVENT_TYPES = [
  'ClientRegistered',
  'ClientUpdated',
  'ClientScopesAllowed',
  'ClientScopesRevoked',
  'ClientDisabled',
  'ClientEnabled',
  'ClientNotBeforeSet',
  'ClientDeleted',
] as const;
type _ClientEventTypes = Assert<SameMembers<(typeof CLIENT_EVENT_TYPES)[number], ClientEvent['type']>>;

/**
 * The client events that end tokens: what resource services must hear about at once. A delete ends nothing of its
 * own: it comes after the ClientDisabled that did.
 */
export const CLIENT_REVOCATION_EVENT_TYPES = ['ClientDisabled', 'ClientScopesRevoked', 'ClientNotBeforeSet'] as const satisfies readonly ClientEvent['type'][];
export type ClientRevocationEvent = ClientDisabled | ClientScopesRevoked | ClientNotBeforeSet;
type _ClientRevocationEventTypes = Assert<SameMembers<(typeof CLIENT_REVOCATION_EVENT_TYPES)[number], ClientRevocationEvent['type']>>;

export interface ClientDetails {
  clientId: string;
  name: string;
  allowedScopes: string[] | null;
  termsUrl: string | null;
  registeredAt: string;
  updatedAt: string;
  /** The client's not-before, for people; null: none set (what ends tokens is its event's position). */
  notBefore: string | null;
}

/** A registered client is active, disabled, or deleted; deleted is final. */
export type ClientStatus = 'active' | 'disabled' | 'deleted';

export type ClientState = { status: 'unregistered' } | ({ status: ClientStatus } & ClientDetails);

export const initialClientState = (): ClientState => ({ status: 'unregistered' });

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  if (event.type === 'ClientRegistered') {
    return { status: 'active', ...event.data, updatedAt: event.data.registeredAt, notBefore: null };
  }
  if (state.status === 'unregistered') return state;
  switch (event.type) {
    case 'ClientUpdated':
      return { ...state, name: event.data.name, termsUrl: event.data.termsUrl, updatedAt: event.data.updatedAt };
    case 'ClientScopesAllowed':
      return { ...state, allowedScopes: event.data.allowedScopes, updatedAt: event.data.allowedAt };
    case 'ClientScopesRevoked':
      return { ...state, allowedScopes: event.data.allowedScopes, updatedAt: event.data.revokedAt };
    case 'ClientDisabled':
      return { ...state, status: 'disabled', updatedAt: event.data.disabledAt };
    case 'ClientEnabled':
      return { ...state, status: 'active', updatedAt: event.data.enabledAt };
    case 'ClientNotBeforeSet':
      return { ...state, notBefore: event.data.notBefore, updatedAt: event.data.setAt };
    case 'ClientDeleted':
      return { ...state, status: 'deleted', updatedAt: event.data.deletedAt };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** Whether the client, as it stands, lets a token carry every one of `scopes`. */
export function clientAllows(client: ClientState, scopes: readonly string[]): boolean {
  if (client.status !== 'active') return false;
  const allowed = client.allowedScopes;
  return allowed === null || scopes.every((s) => allowed.includes(s));
}
