import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical';

/**
 * The tamper-evidence chain: every event carries `metadata.chain`, a SHA-256 link over the previous event OF THE
 * SAME STREAM and a canonical serialisation of this event. See docs/audit.md for why per stream.
 *
 * Covered: chain version, previous link, id, type, stream, revision, data, and metadata without `chain` itself.
 * Not covered: the global position and recordedAt, because the store assigns both at append, after the link has
 * been computed. (Position continuity is checked separately by verify; the command's time is covered, since every
 * event's data carries it: grantedAt, issuedAt, revokedAt, ...)
 */
export const CHAIN_METADATA_KEY = 'chain';
export const CHAIN_VERSION = 1;
/** The "previous link" of a stream's first event (revision 0). */
export const GENESIS_LINK = '0'.repeat(64);

export interface ChainableEvent {
  id: string;
  type: string;
  stream: string;
  revision: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Exactly the bytes that are hashed: one canonical JSON object, so no field boundary can be shifted. */
export function chainPayload(previousLink: string, event: ChainableEvent): string {
  const { [CHAIN_METADATA_KEY]: _link, ...metadata } = event.metadata;
  return canonicalJson({
    v: CHAIN_VERSION,
    prev: previousLink,
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision,
    data: event.data,
    metadata,
  });
}

/** SHA-256 hex of the payload. */
export function chainLink(previousLink: string, event: ChainableEvent): string {
  return createHash('sha256').update(chainPayload(previousLink, event), 'utf8').digest('hex');
}

/** The link an event carries, or undefined when it carries none (or something that is not a link). */
export function linkOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const link = metadata?.[CHAIN_METADATA_KEY];
  return typeof link === 'string' && /^[0-9a-f]{64}$/.test(link) ? link : undefined;
}

/**
 * Links a run of new events onto a stream whose last event carries `previousLink` (GENESIS_LINK for a new stream),
 * returning them with `metadata.chain` set. `firstRevision` is the revision the first of them will get.
 */
export function linkEvents<E extends Omit<ChainableEvent, 'stream' | 'revision'>>(
  stream: string,
  firstRevision: number,
  previousLink: string,
  events: readonly E[],
): { events: E[]; lastLink: string } {
  let prev = previousLink;
  const linked = events.map((event, i) => {
    const link = chainLink(prev, { ...event, stream, revision: firstRevision + i });
    prev = link;
    return { ...event, metadata: { ...event.metadata, [CHAIN_METADATA_KEY]: link } };
  });
  return { events: linked, lastLink: prev };
}

/**
 * Running digest over the links in log order: what an auditor writes down as an external anchor. Given the same
 * events in the same order it is the same on any store, so it survives an export and import.
 */
export class LedgerDigest {
  private digest = GENESIS_LINK;
  count = 0;

  add(link: string): void {
    this.digest = createHash('sha256').update(this.digest).update(link).digest('hex');
    this.count += 1;
  }

  get value(): string {
    return this.digest;
  }
}
