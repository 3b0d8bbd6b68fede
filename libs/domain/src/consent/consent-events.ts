/**
 * Consent aggregate, its events (consent.ts has the state and evolve): what the pair's stream holds, one generation
 * after another, with every token issued under them.
 */
import type { Assert, SameMembers } from '../shared/event-types';
import type { ScopeTree } from '../shared/scope-string';

export interface EndedToken {
  tokenId: string;
  /** SHA-256 hex of the raw token; the raw token is never stored. */
  tokenHash: string;
}

interface ConsentRef {
  consentId: string;
  userId: string;
  clientId: string;
}

/**
 * `scopes` are scope-tokens, the top level of what was asked for. `dependencies` holds, for each of them that was
 * granted with dependencies (`a[b *c]`, shared/scope-string.ts), its whole tree, merged and sorted; absent when none
 * was. They are recorded for dependent consents and grant nothing by themselves: no token carries a dependency.
 *
 * `afterUserRevocation`: how many user-wide revocations the user had when this was granted (UserConsentsRevoked's
 * `revocation`), absent when none. The user's next one ends this consent; no earlier one does.
 *
 * `expiresAt`: the instant the consent ends by itself, absent for never. Nothing is appended then: every reader
 * compares it with its own now (the token view at lookup, the reads, the deciders with their command's time).
 */
export interface ConsentGranted {
  type: 'ConsentGranted';
  /** `allowsRefresh`: tokens issued under the consent come with a refresh token (refresh-token.ts); absent: they do not. */
  data: ConsentRef & {
    scopes: string[];
    dependencies?: ScopeTree[];
    dependencyOwners?: Record<string, string>;
    grantedAt: string;
    afterUserRevocation?: number;
    expiresAt?: string;
    allowsRefresh?: true;
  };
}

/**
 * `addedScopes` may be empty when the grant only added dependencies to scopes the consent holds. `dependencies`
 * holds the whole tree, as it now stands, of each scope whose tree this grant started or grew. `expiresAt`: the
 * consent's new expiry, when this grant named one (a renewal, earlier or later); absent, the expiry stays.
 * `allowsRefresh`: this grant turned refresh on; absent, it stays as it was (a grant never turns it off).
 */
export interface ConsentScopesExtended {
  type: 'ConsentScopesExtended';
  data: ConsentRef & { addedScopes: string[]; scopes: string[]; dependencies?: ScopeTree[]; dependencyOwners?: Record<string, string>; extendedAt: string; expiresAt?: string; allowsRefresh?: true };
}

/**
 * What a revocation ended, said as a predicate rather than a list: every token of the consent issued before the
 * revocation event (earlier in the stream, so at an earlier log position) and carrying a revoked scope. Whatever
 * the number of tokens, the event stays small: EventStoreDB refuses appends over 1 MiB and Kafka messages over 1 MB,
 * which a list of about 8,000 tokens would pass.
 *
 * `tokensEnded` counts the live tokens it ended, for people. `endedTokens` is only in events written before
 * revocations stopped listing tokens; it names exactly the tokens the predicate names, so readers use the predicate
 * for every event and may ignore the list.
 */
interface RevocationFacts {
  revokedScopes: string[];
  revokedAt: string;
  reason: string | null;
  tokensEnded?: number;
  /** @deprecated written by earlier versions only; see RevocationFacts. */
  endedTokens?: EndedToken[];
}

/** Some scopes revoked, others remain; every token carrying a revoked scope issued before it ended with it. */
export interface ConsentScopesRevoked {
  type: 'ConsentScopesRevoked';
  data: ConsentRef & RevocationFacts & { remainingScopes: string[] };
}

/**
 * The whole consent revoked; every token issued under it before it ended. `userRevocation`: this carries out the
 * user's n-th user-wide revocation on this consent (appended by its fan-out, or by a grant that found it pending);
 * it ended the tokens already, and resource services heard it then, so it is not published again.
 */
export interface ConsentRevoked {
  type: 'ConsentRevoked';
  data: ConsentRef & RevocationFacts & { userRevocation?: number };
}

/** How many live tokens a revocation ended, in events of either shape. */
export const tokensEndedBy = (data: RevocationFacts): number => data.tokensEnded ?? data.endedTokens?.length ?? 0;

/**
 * What an issue under an Idempotency-Key records, so that every instance reading the stream recognises a retry. No
 * secret: the raw token is derived from the caller's key, this nonce and a token key that never enters the log.
 */
export interface IdempotentIssue {
  /** SHA-256 hex of (actor, route, Idempotency-Key). */
  keyHash: string;
  /** SHA-256 hex of the canonical request: the same key with another request is refused. */
  fingerprint: string;
  /** 128 random bits (hex) chosen at the first issue: after the window the same key derives another token. */
  nonce: string;
  /** Until this instant a retry with the key answers with this token (or says why it no longer can). */
  until: string;
}

export interface TokenIssued {
  type: 'TokenIssued';
  /**
   * `idempotency` is absent on tokens issued without an Idempotency-Key (and on every token issued before it existed).
   * `familyId`: the refresh-token family the access token was issued in (with its first refresh token, or by a
   * refresh); absent for a token without one. Ending the family ends it.
   */
  data: ConsentRef & { tokenId: string; tokenHash: string; scopes: string[]; issuedAt: string; expiresAt: string; idempotency?: IdempotentIssue; familyId?: string; dependent?: DependentTokenFacts };
}

/**
 * A token issued by token exchange (exchange-token.ts) within a dependent consent: on the root consent's stream, with
 * ConsentRef's `consentId` the root's and `clientId` the dependent client it was issued to. `rootScope`: the root's
 * top-level scope the chain hangs on; revoking it (or the root) ends the token (dependent-consents.ts).
 */
export interface DependentTokenFacts {
  consentId: string;
  dependencyPath: string[];
  rootScope: string;
}

/**
 * A dependent consent (Globus's consent forest), recorded on its ROOT consent's stream: `consentId` is the root's,
 * `dependentConsentId` the dependent's own (keyed by the root and the path of scopes, dependent-consents.ts).
 * `dependentClientId` is the owner of `parentScope`, which acts on `scope` for the user; `dependencyPath` names the
 * consents from the root down to this one, as Globus's `dependency_path` does; `scopePath` the scopes along it.
 */
export interface DependentConsentGranted {
  type: 'DependentConsentGranted';
  data: ConsentRef & {
    dependentConsentId: string;
    dependentClientId: string;
    scope: string;
    parentScope: string;
    parentConsentId: string;
    dependencyPath: string[];
    scopePath: string[];
    grantedAt: string;
  };
}

/**
 * The cascade of a root's revocation, one event per dependent consent it ended, appended in the SAME append as the
 * root's ConsentRevoked or ConsentScopesRevoked (`cause` names which): its causationId is that event's id, its
 * correlationId the request's. The tokens ended with the root's event already; this records it.
 */
export interface DependentConsentRevoked {
  type: 'DependentConsentRevoked';
  /** The root's revocation in the same decision (DomainEvent.causedBy): its id becomes this event's causationId. */
  causedBy?: number;
  data: ConsentRef & {
    dependentConsentId: string;
    dependentClientId: string;
    scope: string;
    dependencyPath: string[];
    cause: 'ConsentRevoked' | 'ConsentScopesRevoked';
    revokedAt: string;
    reason: string | null;
    tokensEnded: number;
  };
}

/**
 * A refresh token (RFC 6749 section 6), stored like an access token as the SHA-256 of its raw value. A family starts
 * with the refresh token an IssueToken returned, whose id is the family's id; each use (RefreshToken) ends the token
 * presented (`replaces`) and issues the next of the same family. `expiresAt` is the idle lifetime from now, never past
 * `familyExpiresAt` (the family's absolute lifetime, fixed at its start) nor the consent's expiry.
 */
export interface RefreshTokenIssued {
  type: 'RefreshTokenIssued';
  data: ConsentRef & {
    tokenId: string;
    tokenHash: string;
    familyId: string;
    scopes: string[];
    issuedAt: string;
    expiresAt: string;
    familyExpiresAt: string;
    replaces?: { tokenId: string; tokenHash: string };
  };
}

/**
 * Every access and refresh token of a family ended, as a predicate like a consent revocation's (RevocationFacts):
 * `cause` 'reuse' when a refresh token that a use had already ended was presented again (RFC 9700 section 4.14.2:
 * either the client or an attacker holds a stolen copy, and the server cannot tell which), 'revocation' when the
 * client or staff revoked one of its refresh tokens (RFC 7009 section 2.1). `tokenId`: the refresh token presented.
 */
export interface RefreshTokenFamilyRevoked {
  type: 'RefreshTokenFamilyRevoked';
  data: ConsentRef & { familyId: string; tokenId: string; cause: 'reuse' | 'revocation'; revokedAt: string; reason: string | null; tokensEnded: number };
}

export interface TokenRevoked {
  type: 'TokenRevoked';
  data: ConsentRef & { tokenId: string; tokenHash: string; revokedAt: string; reason: string | null };
}

export type ConsentEvent =
  | ConsentGranted
  | ConsentScopesExtended
  | ConsentScopesRevoked
  | ConsentRevoked
  | TokenIssued
  | TokenRevoked
  | RefreshTokenIssued
  | RefreshTokenFamilyRevoked
  | DependentConsentGranted
  | DependentConsentRevoked;

/** Every consent event type, once: the one list that subscriptions filter on (the build checks it is the union). */
export const CONSENT_EVENT_TYPES = [
  'ConsentGranted',
  'ConsentScopesExtended',
  'ConsentScopesRevoked',
  'ConsentRevoked',
  'TokenIssued',
  'TokenRevoked',
  'RefreshTokenIssued',
  'RefreshTokenFamilyRevoked',
  'DependentConsentGranted',
  'DependentConsentRevoked',
] as const;
type _ConsentEventTypes = Assert<SameMembers<(typeof CONSENT_EVENT_TYPES)[number], ConsentEvent['type']>>;

/**
 * The events that end tokens: what resource services must hear about at once. A dependent consent's revocation is
 * one: a resource service caches a dependent token under the dependent client, which its root's message does not name.
 */
export const REVOCATION_EVENT_TYPES = ['ConsentRevoked', 'ConsentScopesRevoked', 'TokenRevoked', 'RefreshTokenFamilyRevoked', 'DependentConsentRevoked'] as const satisfies readonly ConsentEvent['type'][];
export type RevocationEvent = ConsentRevoked | ConsentScopesRevoked | TokenRevoked | RefreshTokenFamilyRevoked | DependentConsentRevoked;
type _RevocationEventTypes = Assert<SameMembers<(typeof REVOCATION_EVENT_TYPES)[number], RevocationEvent['type']>>;
