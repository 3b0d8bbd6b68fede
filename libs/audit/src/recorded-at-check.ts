import type { StoredEvent } from '@ledger/event-store';
import { decidedAt } from './decided-at';

/** The default for VerifyOptions.recordedAtToleranceMs: far above a command's wait in its lane and retry budget (10 s). */
export const DEFAULT_RECORDED_AT_TOLERANCE_MS = 60_000;

export interface RecordedAtFinding {
  kind: 'recorded_at_mismatch' | 'recorded_at_out_of_order';
  message: string;
}

/**
 * recordedAt is assigned by the store after the chain link is computed, so the link cannot cover it. What verify
 * can check is that it agrees with what IS covered: the command's time in the event's data (decided-at.ts) must lie
 * within the tolerance, and, on a store that records in log order (the embedded store's single writer never lets it
 * decrease), recordedAt never decreases along the log. Together they bound how far a hand-edited recordedAt can move
 * an event in an as-of answer or an export by time: by at most the tolerance, and never past its neighbours.
 */
export class RecordedAtCheck {
  /** The last event whose recordedAt agreed with its chained time: a moved event is no baseline for the next one. */
  private trusted?: { recordedAt: string; time: number; position: number };

  constructor(
    private readonly toleranceMs: number,
    private readonly neverDecreases: boolean,
  ) {}

  check(e: StoredEvent): RecordedAtFinding | undefined {
    const recorded = Date.parse(e.recordedAt);
    if (Number.isNaN(recorded)) return { kind: 'recorded_at_mismatch', message: `recordedAt "${e.recordedAt}" is not a time: it was edited` };
    const decided = decidedAt(e);
    if (decided !== undefined && Math.abs(recorded - decided) > this.toleranceMs) {
      const by = formatMs(Math.abs(recorded - decided));
      return {
        kind: 'recorded_at_mismatch',
        message:
          `recordedAt ${e.recordedAt} is ${by} ${recorded < decided ? 'before' : 'after'} the command's chained time ` +
          `${new Date(decided).toISOString()} (tolerance ${formatMs(this.toleranceMs)}): recordedAt was changed`,
      };
    }
    const previous = this.trusted;
    if (this.neverDecreases && previous && recorded < previous.time) {
      return {
        kind: 'recorded_at_out_of_order',
        message: `recordedAt ${e.recordedAt} is earlier than ${previous.recordedAt} of position ${previous.position} before it: recordedAt was changed (here or there)`,
      };
    }
    this.trusted = { recordedAt: e.recordedAt, time: recorded, position: e.position };
    return undefined;
  }
}

function formatMs(ms: number): string {
  if (ms === Infinity) return 'unlimited';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number(s.toFixed(1))} s`;
  // Each unit up to two of the next, so that a distance never reads as "0 h" (150 s once did).
  if (s < 2 * 3600) return `${Number((s / 60).toFixed(1))} min`;
  if (s < 2 * 86_400) return `${Number((s / 3600).toFixed(1))} h`;
  return `${Math.round(s / 86_400)} days`;
}
