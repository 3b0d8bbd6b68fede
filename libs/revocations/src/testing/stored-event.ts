import type { StoredEvent } from '@ledger/event-store';
import type { ClientEvent, ConsentEvent, LedgerWideEvent, UserEvent } from '@ledger/domain';

/** A domain event as the store hands it to the mappings, at `position` (its id and revision follow from it). */
export function stored(event: ConsentEvent | ClientEvent | UserEvent | LedgerWideEvent, position: number): StoredEvent {
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: event.type,
    stream: 'consent-x',
    revision: position,
    position,
    recordedAt: '2026-11-27T10:00:00.123Z',
    data: event.data as unknown as Record<string, unknown>,
    metadata: { actor: 'frontend', correlationId: 'req-1', initiator: 'user' },
  };
}
