import type { StoredEvent } from '@ledger/event-store';
import {
  CLIENT_REVOCATION_EVENT_TYPES,
  REVOCATION_EVENT_TYPES,
  type ClientDisabled,
  type ClientScopesRevoked,
  type ConsentRevoked,
  type ConsentScopesRevoked,
  type TokenRevoked,
} from '@ledger/domain';

/**
 * Integration-event contract v1 for revocations: what resource services hear on Kafka and on the SSE feed.
 * It is a separate, documented contract (docs/contracts/revocation-event.v1.schema.json, docs/asyncapi.yaml),
 * mapped from the domain events by a pure function, so the domain events can change shape without breaking
 * consumers. A raw token never appears in it; tokens are named by id and by SHA-256 hash.
 */
export type RevocationEventType = 'consent.revoked' | 'consent.scopes_revoked' | 'token.revoked' | ClientRevocationType;

/**
 * Revocations of a whole client: every consent of every user of the client at once, so they name no consent and no
 * user (consentId and userId are null). They were added to v1 after its release, as the one change its closed
 * schema could take without breaking the messages it already described (docs/contracts/README.md); a consumer that
 * validates against the earlier v1 schema refuses them. The v2 contract is where they belong.
 */
type ClientRevocationType = 'client.disabled' | 'client.scopes_revoked';

export interface RevocationEventV1 {
  /** Id of the domain event this was mapped from: stable across re-publication, so consumers dedupe by it. */
  eventId: string;
  type: RevocationEventType;
  /** null for client.* revocations. */
  consentId: string | null;
  /** null for client.* revocations. */
  userId: string | null;
  clientId: string;
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
}

export const DEFAULT_CLOUDEVENTS_SOURCE = '/consent-ledger';
/** Value of the ce_dataschema header and `$id` of the JSON Schema. */
export const REVOCATION_EVENT_SCHEMA_ID = 'urn:consent-ledger:revocation-event:v1';

/** The domain event types the contract is mapped from (the event-store subscription filter). */
export const REVOCATION_DOMAIN_EVENT_TYPES: readonly string[] = [...REVOCATION_EVENT_TYPES, ...CLIENT_REVOCATION_EVENT_TYPES];

const TYPE_OF: Record<(typeof REVOCATION_EVENT_TYPES)[number], RevocationEventType> = {
  ConsentRevoked: 'consent.revoked',
  ConsentScopesRevoked: 'consent.scopes_revoked',
  TokenRevoked: 'token.revoked',
};

/** What a client revocation says: no consent, no user, no token list (the token view ends them by predicate). */
const clientWide = (event: StoredEvent, clientId: string, scopes: string[], revokedAt: string, reason: string | null | undefined) => ({
  eventId: event.id,
  consentId: null,
  userId: null,
  clientId,
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
    case 'ClientDisabled': {
      const data = event.data as unknown as ClientDisabled['data'];
      return { type: 'client.disabled', ...clientWide(event, data.clientId, [], data.disabledAt, data.reason) };
    }
    case 'ClientScopesRevoked': {
      const data = event.data as unknown as ClientScopesRevoked['data'];
      return { type: 'client.scopes_revoked', ...clientWide(event, data.clientId, [...(data.revokedScopes ?? [])], data.revokedAt, data.reason) };
    }
    default:
      return undefined;
  }
}

const isClientWide = (event: RevocationEventV1) => event.type === 'client.disabled' || event.type === 'client.scopes_revoked';

/** A Kafka record, free of any client library: kafkajs' Message is structurally the same. */
export interface RevocationRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the event's attributes travel as ce_* headers and
 * the value is the data alone (application/json). The key is the user id, so one user's revocations land on one
 * partition and keep their order. A client revocation has no user: its key is the client id. It is not ordered with
 * the users' events, and need not be: it ends every token of the client issued before it, whichever it overtakes.
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

/** The token for token.revoked, the client for a client revocation, else the consent. */
function subjectOf(event: RevocationEventV1): string {
  if (event.type === 'token.revoked') return event.tokenIds[0];
  if (isClientWide(event)) return event.clientId;
  return event.consentId!;
}
