import { EVENT_VERSION_FIELD, EVENT_VERSIONS, LedgerEvent, legacyVersion } from './event-versions';
import { Upcaster, UPCASTERS } from './upcasters';

/** What a reader is handed by the store: the type, the stored data and the metadata that may carry a version. */
export interface StoredShape {
  type: string;
  data: Readonly<Record<string, unknown>>;
  metadata?: Readonly<Record<string, unknown>>;
}

export type UnreadableReason = 'unknown_type' | 'newer_version' | 'malformed_version';

export type Upcast =
  | { readable: true; event: LedgerEvent }
  | { readable: false; reason: UnreadableReason; type: string; version: unknown; known: number | undefined };

/** The stored version of an event: its metadata's `eventVersion`, else the version its shape says (legacyVersion). */
export function storedVersion(event: StoredShape): unknown {
  const v = event.metadata?.[EVENT_VERSION_FIELD];
  return v === undefined ? legacyVersion(event.type, event.data) : v;
}

/**
 * Reads a stored event as the current version of its type, by the upcasters in order, or says why it cannot: a type
 * not in `known`, a version newer than `known` has, or a version that is not a whole number from 1. An unreadable
 * event is never guessed at: whoever reads it must not go on as if it were not there (the views stop and the
 * instance is not ready, rather than miss a revocation it cannot read).
 *
 * `known` is EVENT_VERSIONS; a test passes less, to be a build that does not know a type yet. The Shared Signals
 * streams, which are no ledger event, pass their own versions and upcasters (ssf/ssf-event-versions.ts).
 */
export function upcast(
  event: StoredShape,
  known: Readonly<Record<string, number>> = EVENT_VERSIONS,
  upcasters: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = UPCASTERS,
): Upcast {
  const current = Object.prototype.hasOwnProperty.call(known, event.type) ? known[event.type] : undefined;
  const stored = storedVersion(event);
  if (current === undefined) return { readable: false, reason: 'unknown_type', type: event.type, version: stored, known: undefined };
  // Number.isInteger is false for anything but a number, so no typeof check is needed before it.
  if (!Number.isInteger(stored) || (stored as number) < 1) {
    return { readable: false, reason: 'malformed_version', type: event.type, version: stored, known: current };
  }
  const version = stored as number;
  if (version > current) return { readable: false, reason: 'newer_version', type: event.type, version, known: current };
  let data: Readonly<Record<string, unknown>> = event.data;
  for (let v = version; v < current; v++) {
    const step = upcasters[event.type]?.[v];
    // A raised version without its upcaster is a defect of this build, not of the stored event.
    if (!step) throw new Error(`no upcaster for ${event.type} v${v} to v${v + 1}`);
    data = step(data);
  }
  return { readable: true, event: { type: event.type, data } as unknown as LedgerEvent };
}
