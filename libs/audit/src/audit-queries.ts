import { consentStreamFor, parseConsentId } from '@ledger/domain';
import type { EventFilter, EventStore, StoredEvent } from '@ledger/event-store';
import type { ConsentRow, DependentConsentRow } from '@ledger/projections';
import { ConsentsAsOf } from './as-of';
import { linkOf } from './chain';

/**
 * The audit queries, over the event-store port only, so that the HTTP API and the CLI answer alike on either store.
 */

/** Who did it, when, and why: the attribution recorded with every event (what each proves: docs/audit.md). */
export interface Attribution {
  actor: string;
  initiator: string | null;
  /** true: the initiator is the caller's say-so (X-Initiator); false: the default, or an event from before it was recorded. */
  initiatorAsserted: boolean;
  correlationId: string;
  /** The caller's own X-Request-Id, unchecked; null when none was given (or before it was recorded). */
  clientRequestId: string | null;
  causationId: string | null;
  reason: string | null;
}

export interface AuditEntry {
  position: number;
  stream: string;
  revision: number;
  id: string;
  type: string;
  recordedAt: string;
  data: Record<string, unknown>;
  attribution: Attribution;
  /** The event's tamper-evidence link (docs/audit.md); null for an event written without one. */
  link: string | null;
}

export function auditEntry(e: StoredEvent): AuditEntry {
  const m = e.metadata;
  const data = e.data as Record<string, unknown>;
  const reason = typeof m.reason === 'string' ? m.reason : typeof data.reason === 'string' ? data.reason : null;
  return {
    position: e.position,
    stream: e.stream,
    revision: e.revision,
    id: e.id,
    type: e.type,
    recordedAt: e.recordedAt,
    data,
    attribution: {
      actor: m.actor,
      initiator: m.initiator ?? null,
      initiatorAsserted: m.initiatorAsserted === true,
      correlationId: m.correlationId,
      clientRequestId: typeof m.clientRequestId === 'string' ? m.clientRequestId : null,
      causationId: m.causationId ?? null,
      reason,
    },
    link: linkOf(m) ?? null,
  };
}

/**
 * Every event of one consent and of the tokens issued under it, in stream order. The pair's stream holds every
 * generation of the pair; only this consent's events are kept. Undefined when the consent never existed.
 */
export async function consentHistory(store: EventStore, consentId: string): Promise<AuditEntry[] | undefined> {
  const parsed = parseConsentId(consentId);
  if (!parsed) return undefined;
  const events = (await store.readStream(parsed.stream)).filter((e) => e.data.consentId === consentId);
  return events.length === 0 ? undefined : events.map(auditEntry);
}

/**
 * The user's consents as the ledger stood at `at` (recordedAt <= at), replayed from the log.
 *
 * `streams`: the user's consent streams when the caller knows them (the service takes them from its consent index,
 * which can only have grown since `at`); otherwise the whole log is scanned, which is what the CLI does.
 */
export async function consentsAsOf(
  store: EventStore,
  userId: string,
  at: Date,
  streams?: readonly string[],
): Promise<{ consents: ConsentRow[]; position: number; dependents: DependentConsentRow[] }> {
  const replay = new ConsentsAsOf(at);
  if (streams) {
    for (const stream of streams) {
      for (const e of await store.readStream(stream)) {
        if (e.data.userId === userId) replay.offer(e);
      }
    }
  } else {
    for await (const e of store.readAll({ filter: { streamPrefixes: ['consent-'] } })) {
      if (e.data.userId === userId) replay.offer(e);
    }
  }
  return { consents: replay.consentsOf(userId), position: replay.lastPosition, dependents: replay.dependentsOf(userId) };
}

export interface ExportFilter {
  /** Inclusive. */
  fromPosition?: number;
  /** Inclusive. */
  toPosition?: number;
  /** Inclusive, on recordedAt. */
  from?: Date;
  /** Inclusive, on recordedAt. */
  to?: Date;
  userId?: string;
  clientId?: string;
  consentId?: string;
}

/**
 * A slice of the log, in log order, as stored (`opened` reads a stored event's sealed fields, for the user filter), pulled lazily from the port's readAll: memory stays flat whatever the size, and
 * a slow consumer slows the read (back-pressure) instead of buffering.
 */
export async function* exportEvents(store: EventStore, f: ExportFilter = {}, opened: (e: StoredEvent) => StoredEvent = (e) => e): AsyncGenerator<StoredEvent> {
  // Push what can be pushed down to the store: a consent, or a user with a client, names exactly one stream.
  let streamFilter: EventFilter | undefined;
  const consentStream = f.consentId ? parseConsentId(f.consentId)?.stream : undefined;
  if (f.consentId && !consentStream) return;
  if (consentStream) streamFilter = { streamPrefixes: [consentStream] };
  else if (f.userId && f.clientId) streamFilter = { streamPrefixes: [consentStreamFor(f.userId, f.clientId)] };
  else if (f.userId) streamFilter = { streamPrefixes: ['consent-'] };

  const from = f.from?.getTime();
  const to = f.to?.getTime();
  const after = f.fromPosition !== undefined && f.fromPosition > 0 ? f.fromPosition - 1 : undefined;
  for await (const e of store.readAll({ after, filter: streamFilter })) {
    if (f.toPosition !== undefined && e.position > f.toPosition) return;
    if (from !== undefined || to !== undefined) {
      const t = Date.parse(e.recordedAt);
      if ((from !== undefined && t < from) || (to !== undefined && t > to)) continue;
    }
    // Filtered on what the event says, exported as it is stored (sealed fields stay sealed: docs/privacy.md).
    const d = (f.userId ? opened(e) : e).data as Record<string, unknown>;
    if (f.consentId && d.consentId !== f.consentId) continue;
    if (f.userId && d.userId !== f.userId) continue;
    if (f.clientId && d.clientId !== f.clientId) continue;
    yield e;
  }
}
