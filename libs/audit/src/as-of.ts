import type { StoredEvent } from '@ledger/event-store';
import { ConsentRow, DependentConsentRow, readLedgerEvent, viewChanges } from '@ledger/projections';
import { decidedAt } from './decided-at';

/**
 * The consent view at a past instant, built with the SAME pure mapping the live views use (viewChanges), applied to
 * memory instead of SQLite. No second fold: a consent's row as of T is what the live view held right after the last
 * event recorded at or before T.
 *
 * Time axis: the CHAINED time, when each event's command was decided (decided-at.ts), never recordedAt alone. The
 * chain covers the first and not the second, so a recordedAt moved into the past cannot bring an event into an
 * earlier answer: that is tampering the answer would hide, and `verify` names instead. An event without a chained
 * time (not a domain event) falls back to recordedAt (docs/audit.md, "Which time as of uses").
 *
 * Each stream contributes a PREFIX: its events up to the first one decided after T. Commands on one stream are
 * decided in order up to the time they wait in their lane, so a later revision can carry an instant a few
 * milliseconds earlier than the one before it; stopping at the first later event keeps every consent's fold a valid
 * history instead of applying a change without what it changed.
 */
export class ConsentsAsOf {
  private readonly consents = new Map<string, ConsentRow>();
  /** The dependent consents (the forest), by id: on their root's stream, so in the same prefix as their root. */
  private readonly dependents = new Map<string, DependentConsentRow>();
  /** Streams that already met an event after `at`: nothing later in them belongs to the answer. */
  private readonly ended = new Set<string>();
  /** Position of the last event applied, -1 when none. */
  lastPosition = -1;

  constructor(readonly at: Date) {}

  /** Applies the event if it belongs to the ledger as it stood at `at`; returns whether it did. Offer in log order. */
  offer(event: StoredEvent): boolean {
    if (this.ended.has(event.stream)) return false;
    if ((decidedAt(event) ?? Date.parse(event.recordedAt)) > this.at.getTime()) {
      this.ended.add(event.stream);
      return false;
    }
    // An infrastructure event (a lease) changes no consent; an unreadable one stops the answer (readLedgerEvent).
    const ledgerEvent = readLedgerEvent(event);
    for (const change of ledgerEvent ? viewChanges(ledgerEvent, event.revision, event.position) : []) {
      // Mirrors ViewStore: INSERT OR REPLACE for a new consent, UPDATE (a no-op when absent) for a change.
      if (change.kind === 'consent') this.consents.set(change.row.consentId, { ...change.row });
      else if (change.kind === 'consentUpdate') {
        const row = this.consents.get(change.consentId);
        if (row) {
          const { kind: _kind, consentId: _id, ...update } = change;
          this.consents.set(change.consentId, { ...row, ...update });
        }
      } else if (change.kind === 'dependentConsent') this.dependents.set(change.row.consentId, { ...change.row });
      else if (change.kind === 'dependentConsentRevoked') {
        const row = this.dependents.get(change.consentId);
        if (row) this.dependents.set(change.consentId, { ...row, status: 'revoked', revokedAt: change.revokedAt, revision: change.revision });
      }
    }
    this.lastPosition = Math.max(this.lastPosition, event.position);
    return true;
  }

  /** The user's dependent consents as they stood, in the live view's order (granted_at, then path). */
  dependentsOf(userId: string): DependentConsentRow[] {
    return [...this.dependents.values()]
      .filter((d) => d.userId === userId)
      .sort((a, b) => compare(a.grantedAt, b.grantedAt) || compare(JSON.stringify(a.dependencyPath), JSON.stringify(b.dependencyPath)));
  }

  /** The user's consents, in the live view's order (granted_at, then consent_id). */
  consentsOf(userId: string): ConsentRow[] {
    return [...this.consents.values()]
      .filter((c) => c.userId === userId)
      .sort((a, b) => compare(a.grantedAt, b.grantedAt) || compare(a.consentId, b.consentId));
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
