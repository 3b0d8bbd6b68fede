import type { StoredEvent } from '@ledger/event-store';
import {
  CAEP_SESSION_REVOKED,
  CAEP_TOKEN_CLAIMS_CHANGE,
  type ConsentScopesRevoked,
  LEDGER_CLIENT_DISABLED,
  LEDGER_CLIENT_SCOPES_REVOKED,
  LEDGER_NOT_BEFORE,
  LEDGER_TOKEN_REVOKED,
  type LiveSsfStream,
  SSF_STREAM_UPDATED,
  SSF_VERIFICATION,
  type SsfStreamConfigured,
  type SsfStreamStatusChanged,
  type SsfVerificationRequested,
} from '@ledger/domain';
import { RevocationEventV1, toRevocationEvent } from '../revocation-event';

/**
 * Security Event Tokens (RFC 8417) for a Shared Signals stream, mapped from the log by pure functions: the same
 * stored event for the same stream always gives the same claims (iat is the time the log recorded it), so a SET
 * sent again is the same SET, byte for byte once signed (RS256 is deterministic). docs/ssf.md has the mapping.
 *
 * Built on the Kafka contract's mapping (toRevocationEvent), so the two never disagree about what a revocation is,
 * which events are revocations, or that a user-wide revocation's per-consent fan-out is not announced again. Like
 * that contract, a SET names tokens by id and SHA-256 hash, never by the token.
 */
export interface SetClaims {
  iss: string;
  iat: number;
  jti: string;
  aud: string;
  txn: string;
  /** The event's position in the ledger's log: RFC 8936's `sets` has no order; per subject, order by this. */
  log_position: number;
  sub_id: Record<string, unknown>;
  events: Record<string, Record<string, unknown>>;
}

/** Who and what the SET is for: the stream (as of the event's place in the log) and its receiver's audience. */
export interface SetContext {
  issuer: string;
  audience: string;
  stream: LiveSsfStream;
}

/** A SET's jti: its stream and the log position of the event it says, so an acknowledgement names its position. */
export const jtiOf = (streamId: string, position: number) => `${streamId}-${position}`;
const JTI = /^(ssf_[0-9a-f]{32})-(0|[1-9][0-9]{0,15})$/;

/** The log position a jti of this stream names; undefined for anything else (another stream's, or no jti of ours). */
export function positionOfJti(streamId: string, jti: unknown): number | undefined {
  const m = typeof jti === 'string' ? JTI.exec(jti) : null;
  return m && m[1] === streamId ? Number(m[2]) : undefined;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const opaque = (id: string) => ({ format: 'opaque', id });

/** RFC 9493 `opaque` for a user alone; SSF `complex` for a user at a client, a client, or the whole ledger. */
function subjectOf(r: RevocationEventV1): Record<string, unknown> {
  if (r.userId !== null && r.clientId === null) return opaque(r.userId);
  if (r.userId !== null) return { format: 'complex', user: opaque(r.userId), application: opaque(r.clientId as string) };
  if (r.clientId !== null) return { format: 'complex', application: opaque(r.clientId) };
  return { format: 'complex', tenant: opaque('ledger') };
}

/** The event type URI a revocation is sent as, and what its payload says beyond the common members. */
function eventOf(r: RevocationEventV1, event: StoredEvent): [string, Record<string, unknown>] {
  switch (r.type) {
    case 'consent.revoked':
    case 'user.consents_revoked':
    // A refresh-token family ended (a reuse: RFC 9700 section 4.14.2 treats it as theft): the user's session with the
    // application is what a receiver should end. That ends more than the family, never less.
    case 'token.family_revoked':
      return [CAEP_SESSION_REVOKED, {}];
    case 'consent.scopes_revoked': {
      const remaining = (event.data as unknown as ConsentScopesRevoked['data']).remainingScopes ?? [];
      return [CAEP_TOKEN_CLAIMS_CHANGE, { claims: { scope: remaining.join(' ') }, revoked_scopes: r.scopes }];
    }
    case 'client.scopes_revoked':
      return [LEDGER_CLIENT_SCOPES_REVOKED, { revoked_scopes: r.scopes }];
    case 'token.revoked':
      return [LEDGER_TOKEN_REVOKED, { token_id: r.tokenIds[0], token_hash: r.tokenHashes[0] }];
    case 'client.disabled':
      return [LEDGER_CLIENT_DISABLED, {}];
    case 'client.not_before':
    case 'user.not_before':
    case 'ledger.not_before':
      return [LEDGER_NOT_BEFORE, { not_before: seconds(r.notBefore as string) }];
    default: {
      const _exhaustive: never = r.type;
      throw new Error(`unmapped revocation ${String(_exhaustive)}`);
    }
  }
}

/** The user and client a revocation is about (null: all of them), for entitlement and subject checks. */
export interface RevocationSet {
  userId: string | null;
  clientId: string | null;
  eventType: string;
  claims: SetClaims;
}

const envelope = (event: StoredEvent, ctx: SetContext) => ({
  iss: ctx.issuer,
  iat: seconds(event.recordedAt),
  jti: jtiOf(ctx.stream.streamId, event.position),
  aud: ctx.audience,
  txn: event.id,
  log_position: event.position,
});

/** A revocation's SET, before the stream's entitlement, subjects and events_delivered are applied; else undefined. */
export function revocationSet(event: StoredEvent, ctx: SetContext): RevocationSet | undefined {
  const r = toRevocationEvent(event);
  if (!r) return undefined;
  const [eventType, payload] = eventOf(r, event);
  const common = {
    event_timestamp: seconds(r.revokedAt),
    initiating_entity: event.metadata.initiator ?? 'system',
    ...(r.reason ? { reason_admin: { en: r.reason } } : {}),
  };
  return {
    userId: r.userId,
    clientId: r.clientId,
    eventType,
    claims: { ...envelope(event, ctx), sub_id: subjectOf(r), events: { [eventType]: { ...common, ...payload } } },
  };
}

/**
 * The stream's own SETs (SSF section 8.1.4 and 8.1.5): a verification with the receiver's state, and a
 * stream-updated for every change of status or configuration; their subject is the stream.
 */
export function streamSet(event: StoredEvent, ctx: SetContext): SetClaims | undefined {
  const sub_id = opaque(ctx.stream.streamId);
  switch (event.type) {
    case 'SsfVerificationRequested': {
      const { state } = event.data as unknown as SsfVerificationRequested['data'];
      return { ...envelope(event, ctx), sub_id, events: { [SSF_VERIFICATION]: state === null ? {} : { state } } };
    }
    case 'SsfStreamStatusChanged': {
      const { status, reason } = event.data as unknown as SsfStreamStatusChanged['data'];
      return { ...envelope(event, ctx), sub_id, events: { [SSF_STREAM_UPDATED]: { status, ...(reason ? { reason } : {}) } } };
    }
    case 'SsfStreamConfigured': {
      const { updatedAt } = event.data as unknown as SsfStreamConfigured['data'];
      return { ...envelope(event, ctx), sub_id, events: { [SSF_STREAM_UPDATED]: { status: ctx.stream.streamStatus, reason: `configuration updated at ${updatedAt}` } } };
    }
    default:
      return undefined;
  }
}
