import {
  CLIENT_EVENT_TYPES,
  CONSENT_EVENT_TYPES,
  LEDGER_WIDE_EVENT_TYPES,
  SCOPE_OWNER_EVENT_TYPES,
  USER_EVENT_TYPES,
  type ClientEvent,
  type ClientStatus,
  type LedgerEvent,
} from '@ledger/domain';

/**
 * The read side, as a pure function: what each stored ledger event changes in the views. Storage (sqlite/view-store.ts)
 * applies these changes; keeping the mapping pure lets a rebuild, a live subscription and the audit replay share it.
 */

export type ConsentStatus = 'active' | 'revoked';

export interface ConsentRow {
  consentId: string;
  userId: string;
  clientId: string;
  /** Granted scopes; for a revoked consent, the scopes it held when it was revoked. */
  scopes: string[];
  status: ConsentStatus;
  grantedAt: string;
  updatedAt: string;
  revokedAt: string | null;
  /** Revision of the consent's stream after the last change to the consent itself. */
  revision: number;
  /** ConsentGranted.afterUserRevocation (0: none): a user-wide revocation numbered higher ends the consent. */
  afterUserRevocation: number;
  /**
   * When the consent ends by itself (its grant's, or its last renewal's); null: never. The row's status stays
   * 'active' past it: readers compare it with their now (an expired consent is computed, never written).
   */
  expiresAt: string | null;
  /** Global log position of its ConsentGranted: the stable order of a client's consents. */
  position: number;
}

/** The token validity view: what RFC 7662 introspection answers from. Times are epoch seconds, as RFC 7662 wants. */
export interface TokenRow {
  tokenHash: string;
  tokenId: string;
  consentId: string;
  clientId: string;
  sub: string;
  scope: string;
  iat: number;
  exp: number;
  active: boolean;
  /** Global log position of the TokenIssued event: a revocation ends the tokens issued before it (tokensCut). */
  position: number;
  /** Which kind of token (Hydra's `token_use`): an access token, or a refresh token (RefreshTokenIssued). */
  tokenUse: TokenUse;
  /** The refresh-token family it belongs to; null for an access token issued without a refresh token. */
  familyId: string | null;
}

export type TokenUse = 'access_token' | 'refresh_token';

/** A token of a consent as the consent's token list shows it: metadata only, never its hash or the raw token. */
export interface ConsentTokenRow {
  tokenId: string;
  scope: string;
  iat: number;
  /** The earlier of the token's own expiry and its consent's (epoch seconds). */
  exp: number;
  /** false: revoked, or ended by a revocation, its client or a not-before (the lookup's cut); expiry aside. */
  ended: boolean;
  position: number;
  tokenUse: TokenUse;
}

/** A client as the client reads answer it, and as the token view asks whether it still lets its tokens be active. */
export interface ClientRow {
  clientId: string;
  name: string;
  /** null: any well-formed scope. */
  allowedScopes: string[] | null;
  termsUrl: string | null;
  status: ClientStatus;
  registeredAt: string;
  updatedAt: string;
  /** Revision of the client's stream after its last change. */
  revision: number;
  /** The client's not-before, for people (its cut is in the token view); null: none. */
  notBefore: string | null;
}

/**
 * A client secret as client authentication checks it: by its SHA-256 hash (never the secret), its window and its
 * revocation. The client's own row says whether the client may authenticate at all.
 */
export interface ClientSecretRow {
  clientId: string;
  secretId: string;
  secretHash: string;
  addedAt: string;
  /** When a rotation ends it; null until one does. */
  validUntil: string | null;
  revokedAt: string | null;
}

/** What applies to every consent and token of one user at once. */
export interface UserRow {
  userId: string;
  /** User-wide revocations so far (UserConsentsRevoked.revocation of the last one); 0: none. */
  revocations: number;
  revokedAt: string | null;
  /** Global position of the last user-wide revocation. */
  revokedPosition: number | null;
  notBefore: string | null;
  /** Global position of the event that set notBefore: the user's tokens issued before it are inactive. */
  notBeforePosition: number | null;
}

type ClientFields = Partial<Pick<ClientRow, 'name' | 'termsUrl' | 'allowedScopes' | 'status' | 'notBefore'>>;

export type ViewChange =
  | { kind: 'client'; row: ClientRow }
  /** Sets the fields given; the others stay. */
  | { kind: 'clientUpdate'; clientId: string; set: ClientFields; updatedAt: string; revision: number }
  /**
   * Every token of the client issued before `position` that carries one of `scopes` (null: any scope) is ended, and
   * stays ended whatever the client allows later: what re-enabling or widening the client leaves behind, and the
   * client's not-before (scopes null) (sqlite/token-view.ts). While the client is disabled or narrowed, its current
   * row ends its tokens.
   */
  | { kind: 'clientCut'; clientId: string; scopes: string[] | null; position: number }
  | { kind: 'clientSecret'; row: ClientSecretRow }
  /** The secrets end at `validUntil`, or earlier if they already did. */
  | { kind: 'clientSecretsEnd'; clientId: string; secretIds: string[]; validUntil: string }
  | { kind: 'clientSecretRevoked'; clientId: string; secretId: string; revokedAt: string }
  | { kind: 'consent'; row: ConsentRow }
  /** `expiresAt` only when the change sets it (a renewal); absent, the expiry stays. */
  | { kind: 'consentUpdate'; consentId: string; scopes: string[]; status: ConsentStatus; updatedAt: string; revokedAt: string | null; revision: number; expiresAt?: string }
  | { kind: 'tokenIssued'; row: TokenRow }
  | { kind: 'tokensEnded'; tokenHashes: string[] }
  /** Every token of the refresh-token family ends: a reuse, or a revocation of one of its refresh tokens. */
  | { kind: 'familyCut'; familyId: string; position: number }
  /**
   * Every token of the consent issued before `position` that carries one of `scopes` (null: any scope) is ended.
   * Applied at lookup time (sqlite/token-view.ts), so a revocation costs one row whatever the number of tokens.
   */
  | { kind: 'tokensCut'; consentId: string; scopes: string[] | null; position: number }
  /** The user's n-th user-wide revocation: every consent of the user granted after fewer ends (sqlite/token-view.ts). */
  | { kind: 'userRevoked'; userId: string; revocation: number; revokedAt: string; position: number }
  /** Every token of the user issued before `position` is inactive. */
  | { kind: 'userNotBefore'; userId: string; notBefore: string; position: number }
  /** Every token of the ledger issued before `position` is inactive. */
  | { kind: 'ledgerNotBefore'; notBefore: string; position: number };

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
          },
        },
      ];
    }
    case 'ConsentScopesExtended': {
      const d = event.data;
      const renewed = d.expiresAt === undefined ? {} : { expiresAt: d.expiresAt };
      return [{ kind: 'consentUpdate', consentId: d.consentId, scopes: d.scopes, status: 'active', updatedAt: d.extendedAt, revokedAt: null, revision, ...renewed }];
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
          row: { tokenHash: d.tokenHash, tokenId: d.tokenId, consentId: d.consentId, clientId: d.clientId, sub: d.userId, scope: d.scopes.join(' '), iat: seconds(d.issuedAt), exp: seconds(d.expiresAt), active: true, position, tokenUse: 'access_token', familyId: d.familyId ?? null },
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
      return [{ kind: 'tokenIssued', row: { ...row, tokenUse: 'refresh_token', familyId: d.familyId } }, ...ended];
    }
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
