import type { StoredEvent } from '@ledger/event-store';
import { ConsentRow, LedgerEvent, viewChanges } from '@ledger/projections';

/**
 * The consent view at a past instant, built with the SAME pure mapping the live views use (viewChanges), applied to
 * memory instead of SQLite. No second fold: a consent's row as of T is what the live view held right after the last
 * event recorded at or before T.
 *
 * Time axis: recordedAt, the instant the store made the event part of the ledger (see docs/audit.md). It is
 * non-decreasing in log order on the embedded store, so "recorded at or before T" is a prefix of the log: exactly
 * the ledger as it stood at T.
 */
export class ConsentsAsOf {
  private readonly consents = new Map<string, ConsentRow>();
  /** Position of the last event applied, -1 when none. */
  lastPosition = -1;

  constructor(readonly at: Date) {}

  /** Whether the event belongs to the ledger as it stood at `at`. */
  includes(event: StoredEvent): boolean {
    return Date.parse(event.recordedAt) <= this.at.getTime();
  }

  /** Applies the event if it was recorded at or before `at`; returns whether it was. */
  offer(event: StoredEvent): boolean {
    if (!this.includes(event)) return false;
    for (const change of viewChanges(event as unknown as LedgerEvent, event.revision, event.position)) {
      // Mirrors ViewStore: INSERT OR REPLACE for a new consent, UPDATE (a no-op when absent) for a change.
      if (change.kind === 'consent') this.consents.set(change.row.consentId, { ...change.row });
      else if (change.kind === 'consentUpdate') {
        const row = this.consents.get(change.consentId);
        if (row) {
          const { kind: _kind, consentId: _id, ...update } = change;
          this.consents.set(change.consentId, { ...row, ...update });
        }
      }
    }
    this.lastPosition = Math.max(this.lastPosition, event.position);
    return true;
  }

  /** The user's consents, in the live view's order (granted_at, then consent_id). */
  consentsOf(userId: string): ConsentRow[] {
    return [...this.consents.values()]
      .filter((c) => c.userId === userId)
      .sort((a, b) => compare(a.grantedAt, b.grantedAt) || compare(a.consentId, b.consentId));
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
