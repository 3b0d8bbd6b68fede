import type { StoredEvent } from '@ledger/event-store';
import {
  CLIENT_REVOCATION_EVENT_TYPES,
  LEDGER_WIDE_EVENT_TYPES,
  REVOCATION_EVENT_TYPES,
  USER_EVENT_TYPES,
  type ClientDisabled,
  type ClientNotBeforeSet,
  type ClientScopesRevoked,
  type ConsentRevoked,
  type ConsentScopesRevoked,
  type DependentConsentRevoked,
  type LedgerNotBeforeSet,
  type RefreshTokenFamilyRevoked,
  type TokenRevoked,
  type UserConsentsRevoked,
  type UserNotBeforeSet,
} from '@ledger/domain';

/**
 * Integration-event contract v1 for revocations: what resource services hear on Kafka and on the SSE feed.
 * It is a separate, documented contract (docs/contracts/revocation-event.v1.schema.json, docs/asyncapi.yaml),
 * mapped from the domain events by a pure function, so the domain events can change shape without breaking
 * consumers. A raw token never appears in it; tokens are named by id and by SHA-256 hash.
 */
export type RevocationEventType = 'consent.revoked' | 'consent.scopes_revoked' | 'token.revoked' | 'token.family_revoked' | BulkRevocationType;

/**
 * Bulk revocations, each ONE message whatever the number of tokens it ends, added to v1 after its release as the one
 * change its closed schema could take without breaking the messages it already described (docs/contracts/README.md);
 * a consumer that validates against an earlier v1 schema refuses them. The v2 contract is where they belong.
 * - client.*: every consent of every user of the client; consentId and userId are null.
 * - user.*: every consent of the user, of every client; consentId and clientId are null.
 * - ledger.not_before: everything; consentId, userId and clientId are null.
 * A *.not_before carries `notBefore`, and ends every token of its subject issued before it (by log position).
 *
 * token.family_revoked, added the same way: a refresh-token family ended (a reuse, or a refresh token revoked), every
 * access and refresh token of it. v1 cannot name the family, so it names the consent, and a v1 consumer evicts the
 * consent's tokens, as for consent.revoked: more than ended, never less. v2 says which family (revocation-event.v2.ts).
 */
type BulkRevocationType = 'client.disabled' | 'client.scopes_revoked' | 'client.not_before' | 'user.consents_revoked' | 'user.not_before' | 'ledger.not_before';

export interface RevocationEventV1 {
  /** Id of the domain event this was mapped from: stable across re-publication, so consumers dedupe by it. */
  eventId: string;
  type: RevocationEventType;
  /** null for bulk revocations (client.*, user.*, ledger.*). */
  consentId: string | null;
  /** null for client.* and ledger.* revocations. */
  userId: string | null;
  /** null for user.* and ledger.* revocations. */
  clientId: string | null;
  /**
   * The scopes revoked: the whole consent's for consent.revoked, the revoked subset for consent.scopes_revoked and
   * client.scopes_revoked. Empty for token.revoked (the token's scopes are not part of the revocation fact, and
   * consumers evict by hash), for client.disabled (every scope), and for a client.scopes_revoked of a client that
   * allowed any scope until then (every scope outside its new list, which no list can name).
   */
  scopes: string[];
  /** Ids of the tokens this revocation ended, in the same order as tokenHashes. */
  tokenIds: string[];
  /** SHA-256 hex of each ended token (the cache key of every introspection cache). */
  tokenHashes: string[];
  /** RFC 3339 instant the revocation took effect. */
  revokedAt: string;
  reason: string | null;
  /** Global position of the domain event in the ledger's log: the SSE event id, and a per-ledger order. */
  position: number;
  /** *.not_before only: the not-before time as recorded, for people. The cut is `position`. */
  notBefore?: string;
}

export const DEFAULT_CLOUDEVENTS_SOURCE = '/consent-ledger';
/** Value of the ce_dataschema header and `$id` of the JSON Schema. */
export const REVOCATION_EVENT_SCHEMA_ID = 'urn:consent-ledger:revocation-event:v1';

/**
 * The domain event types the contract is mapped from (the event-store subscription filter). Not SubjectErased: the
 * contract has no erasure notice yet (docs/privacy.md, "What leaves the ledger in clear"), and the consents of an
 * erased subject were revoked, and published, before it.
 */
export const REVOCATION_DOMAIN_EVENT_TYPES: readonly string[] = [
  ...REVOCATION_EVENT_TYPES,
  ...CLIENT_REVOCATION_EVENT_TYPES,
  ...USER_EVENT_TYPES.filter((type) => type !== 'SubjectErased'),
  ...LEDGER_WIDE_EVENT_TYPES,
];

const TYPE_OF: Record<(typeof REVOCATION_EVENT_TYPES)[number], RevocationEventType> = {
  ConsentRevoked: 'consent.revoked',
  ConsentScopesRevoked: 'consent.scopes_revoked',
  TokenRevoked: 'token.revoked',
  RefreshTokenFamilyRevoked: 'token.family_revoked',
  DependentConsentRevoked: 'consent.revoked',
};

/** What a bulk revocation says: its subject, no consent, no token list (the token view ends them by predicate). */
const bulk = (event: StoredEvent, subject: { userId?: string; clientId?: string }, scopes: string[], revokedAt: string, reason: string | null | undefined) => ({
  eventId: event.id,
  consentId: null,
  userId: subject.userId ?? null,
  clientId: subject.clientId ?? null,
  scopes,
  tokenIds: [],
  tokenHashes: [],
  revokedAt,
  reason: reason ?? null,
  position: event.position,
});

/**
 * Maps a stored domain revocation event to the integration event. Pure: the same stored event always gives the
 * same message, which is what makes re-publication after a crash harmless. Returns undefined for any other type.
 */
export function toRevocationEvent(event: StoredEvent): RevocationEventV1 | undefined {
  switch (event.type) {
    case 'ConsentRevoked':
    case 'ConsentScopesRevoked': {
      const data = event.data as unknown as (ConsentRevoked | ConsentScopesRevoked)['data'];
      // Carries out a user-wide revocation on one consent: resource services heard the one user.consents_revoked.
      if ('userRevocation' in data && data.userRevocation !== undefined) return undefined;
      return {
        eventId: event.id,
        type: TYPE_OF[event.type],
        consentId: data.consentId,
        userId: data.userId,
        clientId: data.clientId,
        scopes: [...data.revokedScopes],
        // Only events written before revocations stopped listing tokens have a list; consumers of consent events
        // evict by consent (or user and client), never by list (docs/contracts).
        tokenIds: (data.endedTokens ?? []).map((t) => t.tokenId),
        tokenHashes: (data.endedTokens ?? []).map((t) => t.tokenHash),
        revokedAt: data.revokedAt,
        reason: data.reason ?? null,
        position: event.position,
      };
    }
    case 'DependentConsentRevoked': {
      // A dependent consent ended with its root (the cascade): v1 names the root consent (v1's consentId pattern
      // knows no dependent id) with the DEPENDENT client, whose cached tokens of the user a v1 consumer then evicts,
      // as for any consent.revoked: more than ended, never less. v2 adds the dependency path.
      const data = event.data as unknown as DependentConsentRevoked['data'];
      return {
        eventId: event.id,
        type: TYPE_OF[event.type],
        consentId: data.consentId,
        userId: data.userId,
        clientId: data.dependentClientId,
        scopes: [data.scope],
        tokenIds: [],
        tokenHashes: [],
        revokedAt: data.revokedAt,
        reason: data.reason ?? null,
        position: event.position,
      };
    }
    case 'TokenRevoked': {
      const data = event.data as unknown as TokenRevoked['data'];
      return {
        eventId: event.id,
        type: 'token.revoked',
        consentId: data.consentId,
        userId: data.userId,
        clientId: data.clientId,
        scopes: [],
        tokenIds: [data.tokenId],
        tokenHashes: [data.tokenHash],
        revokedAt: data.revokedAt,
        reason: data.reason ?? null,
        position: event.position,
      };
    }
    case 'RefreshTokenFamilyRevoked': {
      const data = event.data as unknown as RefreshTokenFamilyRevoked['data'];
      return {
        eventId: event.id,
        type: TYPE_OF[event.type],
        consentId: data.consentId,
        userId: data.userId,
        clientId: data.clientId,
        scopes: [],
        tokenIds: [],
        tokenHashes: [],
        revokedAt: data.revokedAt,
        reason: data.reason ?? (data.cause === 'reuse' ? 'refresh_token_reused' : null),
        position: event.position,
      };
    }
    case 'ClientDisabled': {
      const data = event.data as unknown as ClientDisabled['data'];
      return { type: 'client.disabled', ...bulk(event, data, [], data.disabledAt, data.reason) };
    }
    case 'ClientScopesRevoked': {
      const data = event.data as unknown as ClientScopesRevoked['data'];
      return { type: 'client.scopes_revoked', ...bulk(event, data, [...(data.revokedScopes ?? [])], data.revokedAt, data.reason) };
    }
    case 'ClientNotBeforeSet': {
      const data = event.data as unknown as ClientNotBeforeSet['data'];
      return { type: 'client.not_before', ...bulk(event, { clientId: data.clientId }, [], data.setAt, data.reason), notBefore: data.notBefore };
    }
    case 'UserConsentsRevoked': {
      const data = event.data as unknown as UserConsentsRevoked['data'];
      return { type: 'user.consents_revoked', ...bulk(event, { userId: data.userId }, [], data.revokedAt, data.reason) };
    }
    case 'UserNotBeforeSet': {
      const data = event.data as unknown as UserNotBeforeSet['data'];
      return { type: 'user.not_before', ...bulk(event, { userId: data.userId }, [], data.setAt, data.reason), notBefore: data.notBefore };
    }
    case 'LedgerNotBeforeSet': {
      const data = event.data as unknown as LedgerNotBeforeSet['data'];
      return { type: 'ledger.not_before', ...bulk(event, {}, [], data.setAt, data.reason), notBefore: data.notBefore };
    }
    default:
      return undefined;
  }
}

/** A Kafka record, free of any client library: kafkajs' Message is structurally the same. */
export interface RevocationRecord {
  /** null: no key (ledger.not_before), so the broker's partitioner places it. */
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the event's attributes travel as ce_* headers and
 * the value is the data alone (application/json). The key is the user id, so one user's revocations land on one
 * partition and keep their order (a user.* revocation with them). A client revocation has no user: its key is the
 * client id; the ledger-wide not-before has neither, and no key. Neither is ordered with the users' events, and need
 * not be: each ends every token of its subject issued before it, whichever it overtakes, and nothing revives them.
 */
export function toKafkaRecord(event: RevocationEventV1, source: string = DEFAULT_CLOUDEVENTS_SOURCE): RevocationRecord {
  return {
    key: event.userId ?? event.clientId,
    value: JSON.stringify(event),
    headers: cloudEventHeaders(event, source),
  };
}

export function cloudEventHeaders(event: RevocationEventV1, source: string = DEFAULT_CLOUDEVENTS_SOURCE): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: event.eventId,
    ce_type: event.type,
    ce_source: source,
    ce_time: event.revokedAt,
    ce_subject: subjectOf(event),
    ce_dataschema: REVOCATION_EVENT_SCHEMA_ID,
    'content-type': 'application/json',
  };
}

/** The token for token.revoked, the consent for consent.*, the client or user of a bulk one; the ledger's is 'ledger'. */
function subjectOf(event: RevocationEventV1): string {
  if (event.type === 'token.revoked') return event.tokenIds[0];
  return event.consentId ?? event.userId ?? event.clientId ?? 'ledger';
}
