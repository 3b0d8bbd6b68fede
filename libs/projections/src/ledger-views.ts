import {
  CLIENT_EVENT_TYPES,
  CONSENT_EVENT_TYPES,
  LEDGER_WIDE_EVENT_TYPES,
  SCOPE_OWNER_EVENT_TYPES,
  USER_EVENT_TYPES,
  erasedUserId,
  type ClientEvent,
  type LedgerEvent,
} from '@ledger/domain';

/**
 * The read side, as a pure function: what each stored ledger event changes in the views. Storage (sqlite/view-store.ts)
 * applies these changes; keeping the mapping pure lets a rebuild, a live subscription and the audit replay share it.
 */

import type { ClientFields, ClientRow, ViewChange } from './view-rows';

export * from './view-rows';

/** Every domain event, at its current version (libs/domain upcasting): what the views are folded from. */
export type { LedgerEvent } from '@ledger/domain';

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function viewChanges(event: LedgerEvent, revision: number, position: number): ViewChange[] {
  switch (event.type) {
    case 'ClientRegistered':
    case 'ClientUpdated':
    case 'ClientScopesAllowed':
    case 'ClientScopesRevoked':
    case 'ClientDisabled':
    case 'ClientEnabled':
    case 'ClientNotBeforeSet':
    case 'ClientDeleted':
    case 'ClientSecretAdded':
    case 'ClientSecretsSuperseded':
    case 'ClientSecretRevoked':
      return clientChanges(event, revision, position);
    case 'UserConsentsRevoked': {
      const d = event.data;
      return [{ kind: 'userRevoked', userId: d.userId, revocation: d.revocation, revokedAt: d.revokedAt, position }];
    }
    case 'UserNotBeforeSet':
      return [{ kind: 'userNotBefore', userId: event.data.userId, notBefore: event.data.notBefore, position }];
    case 'SubjectErased': {
      // The rows are found by the subject's userKey, which needs no key: another instance may apply this after the key
      // is gone. Rebuilt later, the rows read as the pseudonym already, and none is found.
      const pseudonym = erasedUserId(event.data.kid);
      return [
        { kind: 'subjectErased', subject: event.data.subject, pseudonym },
        { kind: 'userNotBefore', userId: pseudonym, notBefore: event.data.erasedAt, position },
      ];
    }
    case 'LedgerNotBeforeSet':
      return [{ kind: 'ledgerNotBefore', notBefore: event.data.notBefore, position }];
    case 'ScopeOwnerRegistered':
      // Known, and kept in no view: a scope's owner is read from its own stream, as a grant reads it.
      return [];
    case 'ConsentGranted': {
      const d = event.data;
      return [
        {
          kind: 'consent',
          row: {
            consentId: d.consentId,
            userId: d.userId,
            clientId: d.clientId,
            scopes: d.scopes,
            status: 'active',
            grantedAt: d.grantedAt,
            updatedAt: d.grantedAt,
            revokedAt: null,
            revision,
            afterUserRevocation: d.afterUserRevocation ?? 0,
            expiresAt: d.expiresAt ?? null,
            position,
            allowsRefresh: d.allowsRefresh === true,
          },
        },
      ];
    }
    case 'ConsentScopesExtended': {
      const d = event.data;
      const renewed = d.expiresAt === undefined ? {} : { expiresAt: d.expiresAt };
      // A grant turns refresh on, never off: absent leaves the row as it was.
      const refresh = d.allowsRefresh === true ? { allowsRefresh: true as const } : {};
      return [{ kind: 'consentUpdate', consentId: d.consentId, scopes: d.scopes, status: 'active', updatedAt: d.extendedAt, revokedAt: null, revision, ...renewed, ...refresh }];
    }
    case 'ConsentScopesRevoked': {
      const d = event.data;
      return [
        { kind: 'consentUpdate', consentId: d.consentId, scopes: d.remainingScopes, status: 'active', updatedAt: d.revokedAt, revokedAt: null, revision },
        { kind: 'tokensCut', consentId: d.consentId, scopes: d.revokedScopes, position },
        ...legacyEnds(d.endedTokens),
      ];
    }
    case 'ConsentRevoked': {
      const d = event.data;
      return [
        { kind: 'consentUpdate', consentId: d.consentId, scopes: d.revokedScopes, status: 'revoked', updatedAt: d.revokedAt, revokedAt: d.revokedAt, revision },
        { kind: 'tokensCut', consentId: d.consentId, scopes: null, position },
        ...legacyEnds(d.endedTokens),
      ];
    }
    case 'TokenIssued': {
      const d = event.data;
      return [
        {
          kind: 'tokenIssued',
          row: { tokenHash: d.tokenHash, tokenId: d.tokenId, consentId: d.consentId, clientId: d.clientId, sub: d.userId, scope: d.scopes.join(' '), iat: seconds(d.issuedAt), exp: seconds(d.expiresAt), active: true, position, tokenUse: 'access_token', familyId: d.familyId ?? null, rootScope: d.dependent?.rootScope ?? null },
        },
      ];
    }
    case 'TokenRevoked':
      return [{ kind: 'tokensEnded', tokenHashes: [event.data.tokenHash] }];
    case 'RefreshTokenIssued': {
      const d = event.data;
      const row = { tokenHash: d.tokenHash, tokenId: d.tokenId, consentId: d.consentId, clientId: d.clientId, sub: d.userId, scope: d.scopes.join(' '), iat: seconds(d.issuedAt), exp: seconds(d.expiresAt), active: true, position };
      // A use ends the token presented: its row stays, ended, so that presenting it again still finds its consent.
      const ended: ViewChange[] = d.replaces ? [{ kind: 'tokensEnded', tokenHashes: [d.replaces.tokenHash] }] : [];
      return [{ kind: 'tokenIssued', row: { ...row, tokenUse: 'refresh_token', familyId: d.familyId, rootScope: null } }, ...ended];
    }
    case 'DependentConsentGranted': {
      const d = event.data;
      const row = { consentId: d.dependentConsentId, rootConsentId: d.consentId, parentConsentId: d.parentConsentId, userId: d.userId, clientId: d.dependentClientId, scope: d.scope };
      return [{ kind: 'dependentConsent', row: { ...row, dependencyPath: d.dependencyPath, status: 'active', grantedAt: d.grantedAt, revokedAt: null, revision } }];
    }
    case 'DependentConsentRevoked':
      // Its tokens were cut already, by the root's event in the same append (sqlite/token-view.ts, CONSENT_CUT).
      return [{ kind: 'dependentConsentRevoked', consentId: event.data.dependentConsentId, revokedAt: event.data.revokedAt, revision }];
    case 'RefreshTokenFamilyRevoked':
      return [{ kind: 'familyCut', familyId: event.data.familyId, position }];
    default: {
      const _exhaustive: never = event;
      return [];
    }
  }
}

/**
 * A client's row changes with each of its events. Lifting a restriction (enabling, allowing a scope again) also cuts
 * at its own position: the tokens issued before it ended with the restriction, or slipped in while it stood (issued
 * on a client state read just before it), and neither may come back.
 */
function clientChanges(event: ClientEvent, revision: number, position: number): ViewChange[] {
  const update = (set: ClientFields, updatedAt: string): ViewChange => ({ kind: 'clientUpdate', clientId: event.data.clientId, set, updatedAt, revision });
  switch (event.type) {
    case 'ClientRegistered': {
      const d = event.data;
      return [{ kind: 'client', row: { ...d, status: 'active', updatedAt: d.registeredAt, revision, notBefore: null } }];
    }
    case 'ClientUpdated':
      return [update({ name: event.data.name, termsUrl: event.data.termsUrl }, event.data.updatedAt)];
    case 'ClientScopesAllowed': {
      const d = event.data;
      return [update({ allowedScopes: d.allowedScopes }, d.allowedAt), { kind: 'clientCut', clientId: d.clientId, scopes: d.addedScopes, position }];
    }
    case 'ClientScopesRevoked':
      return [update({ allowedScopes: event.data.allowedScopes }, event.data.revokedAt)];
    case 'ClientDisabled':
      return [update({ status: 'disabled' }, event.data.disabledAt)];
    case 'ClientEnabled':
      return [update({ status: 'active' }, event.data.enabledAt), { kind: 'clientCut', clientId: event.data.clientId, scopes: null, position }];
    case 'ClientNotBeforeSet':
      // Every token of the client before it, whatever it carries: the same cut an enable leaves.
      return [update({ notBefore: event.data.notBefore }, event.data.setAt), { kind: 'clientCut', clientId: event.data.clientId, scopes: null, position }];
    case 'ClientDeleted':
      return [update({ status: 'deleted' }, event.data.deletedAt)];
    // A secret is a change of the client: its revision and updatedAt move, as the domain state's do.
    case 'ClientSecretAdded': {
      const d = event.data;
      return [update({}, d.addedAt), { kind: 'clientSecret', row: { ...d, validUntil: null, revokedAt: null } }];
    }
    case 'ClientSecretsSuperseded': {
      const d = event.data;
      return [update({}, d.supersededAt), { kind: 'clientSecretsEnd', clientId: d.clientId, secretIds: d.secretIds, validUntil: d.validUntil }];
    }
    case 'ClientSecretRevoked': {
      const d = event.data;
      return [update({}, d.revokedAt), { kind: 'clientSecretRevoked', clientId: d.clientId, secretId: d.secretId, revokedAt: d.revokedAt }];
    }
    default: {
      const _exhaustive: never = event;
      return [];
    }
  }
}

/**
 * Events written when revocations still listed their tokens: the cut already names those tokens, and ending the
 * rows as well keeps the stored rows themselves truthful for them.
 */
const legacyEnds = (ended: Array<{ tokenHash: string }> | undefined): ViewChange[] =>
  ended && ended.length > 0 ? [{ kind: 'tokensEnded', tokenHashes: ended.map((t) => t.tokenHash) }] : [];

/** What the views subscribe to: every ledger event type, from the aggregates' own lists. */
export const LEDGER_EVENT_TYPES: readonly LedgerEvent['type'][] = [...CLIENT_EVENT_TYPES, ...CONSENT_EVENT_TYPES, ...USER_EVENT_TYPES, ...LEDGER_WIDE_EVENT_TYPES, ...SCOPE_OWNER_EVENT_TYPES];
