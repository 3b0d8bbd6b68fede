import type { ClientStatus } from '@ledger/domain';

/**
 * The rows of the read side and the changes that move them (ledger-views.ts maps each event to its changes; storage,
 * sqlite/view-store.ts, applies them).
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
  /** Tokens issued under it come with a refresh token (its grant, or a later one, said allowsRefresh; never turned off). */
  allowsRefresh: boolean;
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
  /**
   * A dependent token's (token exchange): the root's top-level scope its chain hangs on, which a cut of the root
   * matches it on; its consentId is the root's. null: a token of its own consent.
   */
  rootScope: string | null;
}

/** A dependent consent (Globus's consent forest) as the reads show it; its root's row says the rest. */
export interface DependentConsentRow {
  consentId: string;
  rootConsentId: string;
  parentConsentId: string;
  userId: string;
  clientId: string;
  scope: string;
  /** The consent ids from the root down to this one. */
  dependencyPath: string[];
  status: ConsentStatus;
  grantedAt: string;
  revokedAt: string | null;
  revision: number;
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

/** The client fields an update may set. */
export type ClientFields = Partial<Pick<ClientRow, 'name' | 'termsUrl' | 'allowedScopes' | 'status' | 'notBefore'>>;

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
  | { kind: 'consentUpdate'; consentId: string; scopes: string[]; status: ConsentStatus; updatedAt: string; revokedAt: string | null; revision: number; expiresAt?: string; allowsRefresh?: true }
  | { kind: 'tokenIssued'; row: TokenRow }
  | { kind: 'dependentConsent'; row: DependentConsentRow }
  | { kind: 'dependentConsentRevoked'; consentId: string; revokedAt: string; revision: number }
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
  /** The subject's rows (found by its userKey) stop naming it: its consents, tokens and user row take its pseudonym. */
  | { kind: 'subjectErased'; subject: string; pseudonym: string }
  /** Every token of the ledger issued before `position` is inactive. */
  | { kind: 'ledgerNotBefore'; notBefore: string; position: number };
