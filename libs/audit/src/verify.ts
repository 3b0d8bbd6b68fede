import type { StoredEvent } from '@ledger/event-store';
import { chainLink, GENESIS_LINK, LedgerDigest, linkOf } from './chain';
import { DEFAULT_RECORDED_AT_TOLERANCE_MS, RecordedAtCheck } from './recorded-at-check';

export type ProblemKind =
  /** The event's content no longer matches its link: data, metadata, type, id, stream or revision was edited. */
  | 'altered'
  /** The event carries no chain link (written around the repository, or the link was stripped). */
  | 'missing_link'
  /** Global positions jump: events in between were deleted (the embedded store's positions are gap-free). */
  | 'missing_position'
  /** A stream's revisions jump: the revision(s) in between were deleted. */
  | 'missing_revision'
  /** A stream's events appear in the log out of revision order, or a revision appears twice. */
  | 'reordered'
  /** The log is shorter than, or differs within, the externally recorded anchor. */
  | 'anchor_mismatch'
  /** recordedAt is further from the command's chained time (in the event's data) than the tolerance: it was moved. */
  | 'recorded_at_mismatch'
  /** recordedAt decreases along the log on a store that records in log order: this event's (or the previous one's) was moved. */
  | 'recorded_at_out_of_order';

export interface ChainProblem {
  kind: ProblemKind;
  /** What is wrong, in one sentence an auditor can act on. */
  message: string;
  /** The event where the problem shows; for a deletion, the first event after the hole. */
  position?: number;
  stream?: string;
  revision?: number;
  id?: string;
  type?: string;
}

export interface VerifyOptions {
  /** The store promises gap-free global positions from 0 (the embedded SQLite store does; EventStoreDB does not). */
  gapFreePositions: boolean;
  /** An anchor recorded earlier (`count` events, digest of their links): the log must still begin with exactly them. */
  anchor?: { count: number; digest: string };
  /**
   * How far recordedAt may lie from the time its command was decided, which the chain covers (recorded-at-check.ts).
   * Default 60 s; Infinity turns the check off (an import into EventStoreDB, which records the import's own time).
   */
  recordedAtToleranceMs?: number;
  /** The store never lets recordedAt decrease along the log (the embedded store). Default: gapFreePositions. */
  recordedAtNeverDecreases?: boolean;
  /** Called every 10,000 events with the position reached. */
  onProgress?: (position: number, checked: number) => void;
  /** Stop collecting after this many problems (the scan goes on, so the head is still reported). Default 100. */
  maxProblems?: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  streams: number;
  /** Problems in log order; the first is the first event that was edited, removed or reordered. */
  problems: ChainProblem[];
  /** Record this outside the ledger: it is what detects a truncation of the newest events later. */
  head: { count: number; position: number; digest: string };
}

interface StreamCursor {
  revision: number;
  link: string;
  position: number;
  /** A revision gap not yet explained: if the missing revision shows up later, it was a reorder, not a deletion. */
  gap?: { problem: ChainProblem; from: number; to: number };
}

/**
 * Replays the chain over the whole log in position order and reports what does not hold. Memory: one small cursor
 * per stream, whatever the number of events.
 *
 * What it proves: every event present is byte-for-byte (canonically) what was appended after its stream's previous
 * event, each stream is complete from revision 0 to its last event present, on a gap-free store no event was
 * removed from between two others, and recordedAt agrees with the chained command time (within the tolerance). What it cannot prove alone: that the newest events were not cut off; compare
 * `head` with an anchor recorded earlier (docs/audit.md).
 */
export async function verifyLedger(events: AsyncIterable<StoredEvent>, options: VerifyOptions): Promise<VerifyResult> {
  const maxProblems = options.maxProblems ?? 100;
  const streams = new Map<string, StreamCursor>();
  const problems: ChainProblem[] = [];
  const digest = new LedgerDigest();
  const positionGaps: Array<{ problem: ChainProblem; from: number; to: number }> = [];
  let lastPosition = -1;
  const times = new RecordedAtCheck(options.recordedAtToleranceMs ?? DEFAULT_RECORDED_AT_TOLERANCE_MS, options.recordedAtNeverDecreases ?? options.gapFreePositions);
  const report = (p: ChainProblem) => {
    if (problems.length < maxProblems) problems.push(p);
    return p;
  };
  const at = (e: StoredEvent) => ({ position: e.position, stream: e.stream, revision: e.revision, id: e.id, type: e.type });

  for await (const e of events) {
    if (e.position <= lastPosition) {
      report({ kind: 'reordered', message: `position ${e.position} comes after position ${lastPosition} in the log`, ...at(e) });
    } else if (options.gapFreePositions && e.position !== lastPosition + 1) {
      const from = lastPosition + 1;
      const to = e.position - 1;
      const missing = from === to ? `position ${from} is missing` : `positions ${from}-${to} are missing`;
      const problem = report({ kind: 'missing_position', message: `${missing}: event(s) deleted before this one`, ...at(e) });
      positionGaps.push({ problem, from, to });
    }
    lastPosition = Math.max(lastPosition, e.position);

    const cursor = streams.get(e.stream) ?? { revision: -1, link: GENESIS_LINK, position: -1 };
    const stored = linkOf(e.metadata);
    if (e.revision !== cursor.revision + 1) {
      if (e.revision <= cursor.revision) {
        const gap = cursor.gap;
        if (gap && e.revision >= gap.from && e.revision <= gap.to) {
          // The "missing" revision turned up later in the log: the earlier jump was a reorder, not a deletion.
          gap.problem.kind = 'reordered';
          gap.problem.message = `${e.stream} revision ${gap.problem.revision} appears in the log before revision ${e.revision} (events reordered)`;
          cursor.gap = undefined;
        } else {
          report({ kind: 'reordered', message: `${e.stream} revision ${e.revision} appears after revision ${cursor.revision}`, ...at(e) });
        }
      } else {
        const from = cursor.revision + 1;
        const to = e.revision - 1;
        const problem = report({
          kind: 'missing_revision',
          message: `${e.stream} jumps from revision ${cursor.revision} to ${e.revision}: revision${from === to ? ` ${from} was` : `s ${from}-${to} were`} deleted`,
          ...at(e),
        });
        cursor.gap = { problem, from, to };
        // Attribute a hole in the positions to this stream when the hole lies between its neighbours.
        for (const g of positionGaps) {
          if (g.from > cursor.position && g.to < e.position && !g.problem.message.includes(' from stream ')) {
            g.problem.message += ` (the missing event is from stream ${e.stream}, revision ${from})`;
          }
        }
      }
    } else if (stored === undefined) {
      report({ kind: 'missing_link', message: 'the event carries no chain link in metadata.chain', ...at(e) });
    } else if (chainLink(cursor.link, e) !== stored) {
      report({ kind: 'altered', message: 'the event does not match its chain link: it was edited after it was appended', ...at(e) });
    }
    const time = times.check(e);
    if (time) report({ ...time, ...at(e) });
    // Resynchronise on what is stored, so that one edited event is reported once, not with every later one.
    if (e.revision > cursor.revision) {
      cursor.revision = e.revision;
      cursor.link = stored ?? GENESIS_LINK;
      cursor.position = e.position;
    }
    streams.set(e.stream, cursor);

    digest.add(stored ?? GENESIS_LINK);
    if (options.anchor && digest.count === options.anchor.count && digest.value !== options.anchor.digest) {
      report({ kind: 'anchor_mismatch', message: `the first ${options.anchor.count} events do not match the recorded anchor digest`, ...at(e) });
    }
    if (digest.count % 10_000 === 0) options.onProgress?.(e.position, digest.count);
  }
  if (options.anchor && digest.count < options.anchor.count) {
    report({
      kind: 'anchor_mismatch',
      message: `the log holds ${digest.count} events but the anchor recorded ${options.anchor.count}: the newest events were removed`,
    });
  }
  return {
    ok: problems.length === 0,
    checked: digest.count,
    streams: streams.size,
    problems,
    head: { count: digest.count, position: lastPosition, digest: digest.value },
  };
}
