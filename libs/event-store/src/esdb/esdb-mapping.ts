import {
  ANY,
  AppendExpectedRevision,
  Filter,
  NO_STREAM,
  Position,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import { EventFilter, EventMetadata, ExpectedRevision, StoredEvent } from '../event-store.port';

// Translation between the port's shapes and EventStoreDB's (expected revisions, positions, metadata keys, recorded
// events, filters), in one place because the adapter and its subscription must map alike.

/** Shape of a recorded event as the client hands it over (JSON or binary). */
export interface ClientRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  position?: Position;
}

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

export function toPosition(position: number): Position {
  const p = BigInt(position);
  return { commit: p, prepare: p };
}

export function metadataToEsdb(metadata: EventMetadata): Record<string, unknown> {
  const { correlationId, causationId, ...rest } = metadata;
  const out: Record<string, unknown> = { ...rest, $correlationId: correlationId };
  if (causationId !== undefined) out.$causationId = causationId;
  return out;
}

function metadataFromEsdb(raw: unknown): EventMetadata {
  if (typeof raw !== 'object' || raw === null || raw instanceof Uint8Array || Array.isArray(raw)) {
    return { actor: 'unknown', correlationId: '' };
  }
  const { $correlationId, $causationId, ...rest } = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  if ($correlationId !== undefined) out.correlationId = $correlationId;
  if ($causationId !== undefined) out.causationId = $causationId;
  out.actor ??= 'unknown';
  out.correlationId ??= '';
  return out as EventMetadata;
}

export function toStoredEvent(event: ClientRecordedEvent): StoredEvent {
  const data =
    event.isJson && typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data)
      ? (event.data as Record<string, unknown>)
      : { value: event.data instanceof Uint8Array ? Buffer.from(event.data).toString('base64') : event.data };
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: Number(event.revision),
    position: event.position ? Number(event.position.commit) : -1,
    recordedAt: event.created.toISOString(),
    data,
    metadata: metadataFromEsdb(event.metadata),
  };
}

export function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
}

/** The port's filter semantics, applied to every event the adapter hands out (the server filter is only a pre-filter). */
export function matches(type: string, stream: string, filter?: EventFilter): boolean {
  if (isSystemEventType(type)) return false;
  if (!filter) return true;
  if (filter.eventTypePrefixes && !filter.eventTypePrefixes.some((p) => type.startsWith(p))) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => stream.startsWith(p))) return false;
  return true;
}

/**
 * The server-side filter: EventStoreDB takes one expression, on the event type or on the stream name. Event-type
 * prefixes are combined with "not a system event" in one regex; stream prefixes go to the server as such and system
 * events are then dropped by `matches`. The regex syntax is common to .NET and JavaScript.
 */
export function toServerFilter(filter?: EventFilter): Filter {
  const types = filter?.eventTypePrefixes;
  const streams = filter?.streamPrefixes;
  if (types && types.length > 0) {
    return eventTypeFilter({ regex: `^(?!\\$)(?:${types.map(escapeRegex).join('|')})` });
  }
  if (streams && streams.length > 0) return streamNameFilter({ prefixes: streams });
  return excludeSystemEvents();
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|#\s-]/g, (c) => (/\s/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `\\${c}`));
}
