/** The events of one client, transfer-app, as given/when/then specs write its history. */
import type {
  ClientDeleted,
  ClientDisabled,
  ClientEnabled,
  ClientNotBeforeSet,
  ClientRegistered,
  ClientScopesAllowed,
  ClientScopesRevoked,
  ClientSecretAdded,
  ClientSecretRevoked,
  ClientSecretsSuperseded,
  ClientUpdated,
} from '../client/client';
import { hashClientSecret } from '../client/client-secrets';
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
  secretAdded: (name: string, seconds = 0): ClientSecretAdded => ({
    type: 'ClientSecretAdded',
    data: { clientId, secretId: secretId(name), secretHash: secretHash(name), addedAt: at(seconds) },
  }),
  secretsSuperseded: (names: string[], by: string, untilSeconds: number, seconds = 0): ClientSecretsSuperseded => ({
    type: 'ClientSecretsSuperseded',
    data: { clientId, secretIds: names.map(secretId), supersededBy: secretId(by), validUntil: at(untilSeconds), supersededAt: at(seconds) },
  }),
  secretRevoked: (name: string, seconds = 0, reason: string | null = null): ClientSecretRevoked => ({
    type: 'ClientSecretRevoked',
    data: { clientId, secretId: secretId(name), revokedAt: at(seconds), reason },
  }),
};

/** A secret's id and hash, named in a test by a word: `sec_` and the word's bytes in hex, padded. */
export const secretId = (name: string) => `sec_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
export const secretHash = (name: string) => hashClientSecret(`lcs_${name}`);
