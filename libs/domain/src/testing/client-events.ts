/** The events of one client, transfer-app, as given/when/then specs write its history. */
import type { ClientDeleted, ClientDisabled, ClientEnabled, ClientNotBeforeSet, ClientRegistered, ClientScopesAllowed, ClientScopesRevoked, ClientUpdated } from '../client/client';
import { secondsAfter } from './decider-spec';

export const CLIENT_ID = 'transfer-app';
export const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const clientId = CLIENT_ID;

export const clientEvents = {
  registered: (allowedScopes: string[] | null = ['email', 'openid', TRANSFER]): ClientRegistered => ({
    type: 'ClientRegistered',
    data: { clientId, name: 'Transfer App', allowedScopes, termsUrl: 'https://example.org/terms', registeredAt: at(-3600) },
  }),
  updated: (name: string, termsUrl: string | null, seconds = 0): ClientUpdated => ({ type: 'ClientUpdated', data: { clientId, name, termsUrl, updatedAt: at(seconds) } }),
  scopesAllowed: (addedScopes: string[], allowedScopes: string[], seconds = 0): ClientScopesAllowed => ({
    type: 'ClientScopesAllowed',
    data: { clientId, addedScopes, allowedScopes, allowedAt: at(seconds) },
  }),
  scopesRevoked: (revokedScopes: string[] | null, allowedScopes: string[], seconds = 0, reason: string | null = null): ClientScopesRevoked => ({
    type: 'ClientScopesRevoked',
    data: { clientId, revokedScopes, allowedScopes, revokedAt: at(seconds), reason },
  }),
  disabled: (seconds = 0, reason: string | null = null): ClientDisabled => ({ type: 'ClientDisabled', data: { clientId, disabledAt: at(seconds), reason } }),
  enabled: (seconds = 0): ClientEnabled => ({ type: 'ClientEnabled', data: { clientId, enabledAt: at(seconds) } }),
  notBeforeSet: (notBefore: string, seconds = 0, reason: string | null = null): ClientNotBeforeSet => ({
    type: 'ClientNotBeforeSet',
    data: { clientId, notBefore, setAt: at(seconds), reason },
  }),
  deleted: (seconds = 0, reason: string | null = null): ClientDeleted => ({ type: 'ClientDeleted', data: { clientId, deletedAt: at(seconds), reason } }),
};
