import type { ClientEvent } from '../client/client';
import type { ConsentEvent } from '../consent/consent';
import type { LedgerWideEvent } from '../ledger/ledger-wide';
import type { ScopeOwnerEvent } from '../scope/scope-owner';
import type { UserEvent } from '../user/user';

/** Every event the domain appends, at the version it appends it. */
export type LedgerEvent = ClientEvent | ConsentEvent | UserEvent | LedgerWideEvent | ScopeOwnerEvent;
export type LedgerEventType = LedgerEvent['type'];

/**
 * The version of each event type that this build writes, and the newest it can read: the known set. A type missing
 * from it, or a stored version above it, is an event this build cannot apply (upcast.ts says which). Raise a number
 * only with an upcaster from the version below it (upcasters.ts), and a golden directory made before the change
 * (test/golden/README.md).
 *
 * The version travels in the event's metadata (`eventVersion`), set by the command executor on every append, so the
 * hash chain covers it. Events written before versions existed carry none; `legacyVersion` reads it from their shape.
 */
export const EVENT_VERSIONS: Readonly<Record<LedgerEventType, number>> = Object.freeze({
  ClientRegistered: 1,
  ClientUpdated: 1,
  ClientScopesAllowed: 1,
  ClientScopesRevoked: 1,
  ClientDisabled: 1,
  ClientEnabled: 1,
  ClientNotBeforeSet: 1,
  ClientDeleted: 1,
  ClientSecretAdded: 1,
  ClientSecretsSuperseded: 1,
  ClientSecretRevoked: 1,
  ConsentGranted: 2,
  ConsentScopesExtended: 2,
  // v1 listed the tokens it ended (`endedTokens`); v2 counts them (`tokensEnded`) and says which by a predicate.
  // v3 of every type that names a user: its personal fields are stored sealed (docs/privacy.md). The store's codec
  // opens them below upcasting, so the shape readers see is unchanged; the version makes an older build, which would
  // take a sealed field for a value, stop at the event instead (fail closed).
  ConsentScopesRevoked: 3,
  ConsentRevoked: 3,
  TokenIssued: 2,
  TokenRevoked: 2,
  RefreshTokenIssued: 2,
  RefreshTokenFamilyRevoked: 2,
  UserConsentsRevoked: 2,
  UserNotBeforeSet: 2,
  // Born sealed, with dependent consents (one older than sealing never existed): v1.
  DependentConsentGranted: 1,
  DependentConsentRevoked: 1,
  SubjectErased: 1,
  LedgerNotBeforeSet: 1,
  ScopeOwnerRegistered: 1,
});

/** The metadata field that carries an event's version. */
export const EVENT_VERSION_FIELD = 'eventVersion';

/**
 * The version of an event stored without `eventVersion`, read from its shape. Only the revocations changed shape
 * before versions existed: one without `tokensEnded` is v1. Every other unversioned event is v1.
 */
export function legacyVersion(type: string, data: Readonly<Record<string, unknown>>): number {
  if (type === 'ConsentRevoked' || type === 'ConsentScopesRevoked') return 'tokensEnded' in data ? 2 : 1;
  return 1;
}
