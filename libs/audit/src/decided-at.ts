import type { ClientEvent, ConsentEvent, LedgerWideEvent, ScopeOwnerEvent, SsfStreamEvent, UserEvent } from '@ledger/domain';

type DomainEvent = ClientEvent | ConsentEvent | UserEvent | LedgerWideEvent | ScopeOwnerEvent | SsfStreamEvent;

/**
 * Where each domain event keeps the time its command was decided (CommandMetadata.now). It sits in the event's data,
 * so the chain link covers it, unlike recordedAt, which the store assigns after the link is computed. The mapped type
 * makes the build fail when an event type is added without naming its time here.
 */
const DECIDED_AT_FIELD: { [T in DomainEvent['type']]: keyof Extract<DomainEvent, { type: T }>['data'] & string } = {
  ClientRegistered: 'registeredAt',
  ClientUpdated: 'updatedAt',
  ClientScopesAllowed: 'allowedAt',
  ClientScopesRevoked: 'revokedAt',
  ClientDisabled: 'disabledAt',
  ClientEnabled: 'enabledAt',
  ClientNotBeforeSet: 'setAt',
  ClientDeleted: 'deletedAt',
  ClientSecretAdded: 'addedAt',
  ClientSecretsSuperseded: 'supersededAt',
  ClientSecretRevoked: 'revokedAt',
  ConsentGranted: 'grantedAt',
  ConsentScopesExtended: 'extendedAt',
  ConsentScopesRevoked: 'revokedAt',
  ConsentRevoked: 'revokedAt',
  TokenIssued: 'issuedAt',
  TokenRevoked: 'revokedAt',
  RefreshTokenIssued: 'issuedAt',
  RefreshTokenFamilyRevoked: 'revokedAt',
  DependentConsentGranted: 'grantedAt',
  DependentConsentRevoked: 'revokedAt',
  UserConsentsRevoked: 'revokedAt',
  UserNotBeforeSet: 'setAt',
  SubjectErased: 'erasedAt',
  LedgerNotBeforeSet: 'setAt',
  ScopeOwnerRegistered: 'registeredAt',
  SsfStreamCreated: 'createdAt',
  SsfStreamConfigured: 'updatedAt',
  SsfStreamStatusChanged: 'changedAt',
  SsfSubjectAdded: 'addedAt',
  SsfSubjectRemoved: 'removedAt',
  SsfVerificationRequested: 'requestedAt',
  SsfSetsAcknowledged: 'acknowledgedAt',
  SsfStreamDeleted: 'deletedAt',
};

/**
 * The chained time of an event in epoch milliseconds: when its command was decided. Undefined for an event that
 * carries none (not a domain event, e.g. the publisher lease's, or a malformed value); callers fall back to
 * recordedAt for those, which the chain does not cover (docs/audit.md).
 */
export function decidedAt(event: { type: string; data: Record<string, unknown> }): number | undefined {
  const field = (DECIDED_AT_FIELD as Record<string, string | undefined>)[event.type];
  const value = field === undefined ? undefined : event.data[field];
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
