import type { StoredEvent } from '@ledger/event-store';
import type { ClientScopesRevoked, ConsentScopesRevoked, DependentConsentRevoked, RefreshTokenFamilyRevoked, SubjectErased } from '@ledger/domain';
import { DEFAULT_CLOUDEVENTS_SOURCE, RevocationEventType, RevocationRecord, toRevocationEvent } from './revocation-event';

/**
 * Integration-event contract v2 (docs/contracts/revocation-event.v2.schema.json), published beside v1 on a topic of
 * its own for one release (docs/contracts/README.md, "v2"). Where v1 names what a revocation is about with nullable
 * members, v2 says it as two parts that a consumer applies as a predicate to its cache: the `subject` (a token, a
 * consent, a client, a user or the ledger) and `ends`, which of the subject's tokens ended. The same domain event
 * carries the same eventId on both topics, so a consumer moving over dedupes across them.
 */
export type RevocationSubjectV2 =
  | { kind: 'token'; tokenId: string; tokenHash: string; consentId: string; userId: string; clientId: string }
  | { kind: 'consent'; consentId: string; userId: string; clientId: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'user'; userId: string }
  /**
   * A user whose personal data was erased (SubjectErased, docs/privacy.md): named by `userKey`, the hex SHA-256 prefix
   * of the user id that the ledger's streams are named by (a consumer computes it from the user ids it holds), and by
   * the pseudonym the ledger now reads the subject as. The user id itself is gone when the publisher reads the event.
   */
  | { kind: 'erased_user'; userKey: string; pseudonym: string }
  | { kind: 'ledger' };

/** Which of the subject's tokens ended. A consumer evicts exactly those; it cannot over-evict by following it. */
export type EndedTokensV2 =
  /** Every token of the subject. */
  | { all: true }
  /** Every token of the subject that carries one of these scopes. */
  | { carryingAnyOf: string[] }
  /** Every token of the subject that carries a scope outside this list (a client that allowed any scope, narrowed). */
  | { carryingAnyOutside: string[] }
  /** Every token of the subject issued before this log position (a not-before: the cut is the position, not a time). */
  | { issuedBefore: number }
  /**
   * Every token of the subject (a consent) in this refresh-token family. A cache that does not know its tokens'
   * families applies the consumer rule for an `ends` form it cannot follow: every token of the subject.
   */
  | { inFamily: string };

/** v2's types: v1's, and the erasure notice, which v1 (a closed schema that names users in clear) cannot carry. */
export type RevocationEventTypeV2 = RevocationEventType | 'user.erased';

export interface RevocationEventV2 {
  eventId: string;
  type: RevocationEventTypeV2;
  subject: RevocationSubjectV2;
  ends: EndedTokensV2;
  /** The scopes the consent (consent.scopes_revoked) or the client (client.scopes_revoked) still has. */
  remainingScopes?: string[];
  revokedAt: string;
  reason: string | null;
  position: number;
  /** *.not_before only: the time as recorded, for people. */
  notBefore?: string;
  /**
   * consent.* only (added in this version's life, additive): the consents from the root down to the one that ended
   * (Globus's dependency_path). [root] for a root's revocation, which ends its whole tree; longer for each dependent
   * consent its cascade ended, whose subject is the root consent with the dependent client. A resource service
   * evicts the tree by its root, the first id.
   */
  dependencyPath?: string[];
}

export const REVOCATION_EVENT_V2_SCHEMA_ID = 'urn:consent-ledger:revocation-event:v2';

/**
 * Maps a stored domain event to the v2 integration event, or undefined where v1 has none (the same events are
 * published in both). Pure, like the v1 mapping it starts from: v1 already decides what is published and its ids.
 */
export function toRevocationEventV2(event: StoredEvent): RevocationEventV2 | undefined {
  if (event.type === 'SubjectErased') return erasureNotice(event);
  const v1 = toRevocationEvent(event);
  if (!v1) return undefined;
  const common = { eventId: v1.eventId, type: v1.type, revokedAt: v1.revokedAt, reason: v1.reason, position: v1.position };
  const notBefore = v1.notBefore === undefined ? {} : { notBefore: v1.notBefore };
  switch (v1.type) {
    case 'token.revoked':
      return { ...common, subject: { kind: 'token', tokenId: v1.tokenIds[0], tokenHash: v1.tokenHashes[0], ...pair(v1) }, ends: { all: true } };
    case 'consent.revoked': {
      const path = event.type === 'DependentConsentRevoked' ? [...(event.data as unknown as DependentConsentRevoked['data']).dependencyPath] : [v1.consentId!];
      return { ...common, subject: { kind: 'consent', ...pair(v1) }, ends: { all: true }, dependencyPath: path };
    }
    case 'token.family_revoked': {
      const data = event.data as unknown as RefreshTokenFamilyRevoked['data'];
      return { ...common, subject: { kind: 'consent', ...pair(v1) }, ends: { inFamily: data.familyId } };
    }
    case 'consent.scopes_revoked': {
      const data = event.data as unknown as ConsentScopesRevoked['data'];
      return { ...common, subject: { kind: 'consent', ...pair(v1) }, ends: { carryingAnyOf: v1.scopes }, remainingScopes: [...data.remainingScopes], dependencyPath: [v1.consentId!] };
    }
    case 'client.disabled':
      return { ...common, subject: { kind: 'client', clientId: v1.clientId! }, ends: { all: true } };
    case 'client.scopes_revoked': {
      const data = event.data as unknown as ClientScopesRevoked['data'];
      // revokedScopes is null when the client allowed any scope until then: what ended is whatever is not allowed now.
      const ends = data.revokedScopes === null ? { carryingAnyOutside: [...data.allowedScopes] } : { carryingAnyOf: v1.scopes };
      return { ...common, subject: { kind: 'client', clientId: v1.clientId! }, ends, remainingScopes: [...data.allowedScopes] };
    }
    case 'client.not_before':
      return { ...common, subject: { kind: 'client', clientId: v1.clientId! }, ends: { issuedBefore: v1.position }, ...notBefore };
    case 'user.consents_revoked':
      return { ...common, subject: { kind: 'user', userId: v1.userId! }, ends: { all: true } };
    case 'user.not_before':
      return { ...common, subject: { kind: 'user', userId: v1.userId! }, ends: { issuedBefore: v1.position }, ...notBefore };
    case 'ledger.not_before':
      return { ...common, subject: { kind: 'ledger' }, ends: { issuedBefore: v1.position }, ...notBefore };
  }
}

/**
 * The erasure notice: what downstream must do on an erasure is delete what it holds for the subject (docs/contracts
 * README, the consumer rule). Every token of the subject ended before it (the ledger refuses an erasure while the
 * user has an active consent, and the erasure ends the subject's tokens at lookup besides), so `ends` is all of them.
 */
function erasureNotice(event: StoredEvent): RevocationEventV2 {
  const data = event.data as unknown as SubjectErased['data'];
  return {
    eventId: event.id,
    type: 'user.erased',
    // data.userId reads as the pseudonym once the key is destroyed, which it is by the time anyone reads the event.
    subject: { kind: 'erased_user', userKey: data.subject, pseudonym: `~erased:${data.kid}` },
    ends: { all: true },
    revokedAt: data.erasedAt,
    reason: null,
    position: event.position,
  };
}

const pair = (v1: { consentId: string | null; userId: string | null; clientId: string | null }) => ({ consentId: v1.consentId!, userId: v1.userId!, clientId: v1.clientId! });

/** As v1's record (the same key, so one user's revocations keep their order), with v2's dataschema. */
export function toKafkaRecordV2(event: RevocationEventV2, source: string = DEFAULT_CLOUDEVENTS_SOURCE): RevocationRecord {
  const s = event.subject;
  // An erasure notice is keyed by the userKey: its user id is gone, and a compacted topic can then drop it by key.
  const key = 'userId' in s ? s.userId : 'clientId' in s ? s.clientId : s.kind === 'erased_user' ? s.userKey : null;
  const subject =
    s.kind === 'token' ? s.tokenId : s.kind === 'consent' ? s.consentId : s.kind === 'user' ? s.userId : s.kind === 'client' ? s.clientId : s.kind === 'erased_user' ? s.userKey : 'ledger';
  return {
    key,
    value: JSON.stringify(event),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_type: event.type,
      ce_source: source,
      ce_time: event.revokedAt,
      ce_subject: subject,
      ce_dataschema: REVOCATION_EVENT_V2_SCHEMA_ID,
      'content-type': 'application/json',
    },
  };
}
