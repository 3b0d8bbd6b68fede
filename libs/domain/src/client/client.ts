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

/**
 * A secret the ledger generated for the client (client_secret_basic, client_secret_post). Only its SHA-256 hash is
 * recorded: the raw secret is shown once, in the answer that created it, and is never stored, logged or published.
 */
export interface ClientSecretAdded {
  type: 'ClientSecretAdded';
  data: { clientId: string; secretId: string; secretHash: string; addedAt: string };
}

/**
 * A rotation's overlap window: the secrets named stop authenticating at `validUntil` (at once when it equals
 * `supersededAt`), so that the client's deployments can move to the new secret without an outage. Never extends a
 * secret: one that ends earlier already is not named.
 */
export interface ClientSecretsSuperseded {
  type: 'ClientSecretsSuperseded';
  data: { clientId: string; secretIds: string[]; supersededBy: string; validUntil: string; supersededAt: string };
}

/** The secret stops authenticating at once. Tokens the client holds are not touched: disabling the client ends them. */
export interface ClientSecretRevoked {
  type: 'ClientSecretRevoked';
  data: { clientId: string; secretId: string; revokedAt: string; reason: string | null };
}

export type ClientEvent =
  | ClientRegistered
  | ClientUpdated
  | ClientScopesAllowed
  | ClientScopesRevoked
  | ClientDisabled
  | ClientEnabled
  | ClientNotBeforeSet
  | ClientDeleted
  | ClientSecretAdded
  | ClientSecretsSuperseded
  | ClientSecretRevoked;

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
  'ClientSecretAdded',
  'ClientSecretsSuperseded',
  'ClientSecretRevoked',
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

/** What a decision needs to know of a secret: never its hash, which only the views keep for authentication. */
export interface ClientSecretState {
  secretId: string;
  addedAt: string;
  /** When a rotation ends it; null until one does. */
  validUntil: string | null;
  revokedAt: string | null;
}

export type RegisteredClient = { status: ClientStatus; secrets: readonly ClientSecretState[] } & ClientDetails;

export type ClientState = { status: 'unregistered' } | RegisteredClient;

export const initialClientState = (): ClientState => ({ status: 'unregistered' });

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  if (event.type === 'ClientRegistered') {
    return { status: 'active', ...event.data, updatedAt: event.data.registeredAt, notBefore: null, secrets: [] };
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
    case 'ClientSecretAdded': {
      const { secretId, addedAt } = event.data;
      return { ...state, secrets: [...state.secrets, { secretId, addedAt, validUntil: null, revokedAt: null }], updatedAt: addedAt };
    }
    case 'ClientSecretsSuperseded': {
      const { secretIds, validUntil, supersededAt } = event.data;
      const end = (s: ClientSecretState) => (s.validUntil !== null && Date.parse(s.validUntil) <= Date.parse(validUntil) ? s : { ...s, validUntil });
      return { ...state, secrets: state.secrets.map((s) => (secretIds.includes(s.secretId) ? end(s) : s)), updatedAt: supersededAt };
    }
    case 'ClientSecretRevoked': {
      const { secretId, revokedAt } = event.data;
      return { ...state, secrets: state.secrets.map((s) => (s.secretId === secretId && s.revokedAt === null ? { ...s, revokedAt } : s)), updatedAt: revokedAt };
    }
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
