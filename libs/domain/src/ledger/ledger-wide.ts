/** What applies to the whole ledger at once. One stream, LEDGER_WIDE_STREAM (ids.ts). */
import type { Assert, SameMembers } from '../shared/event-types';

/** Every token issued before this event (earlier in the log), of every user and client, is inactive. */
export interface LedgerNotBeforeSet {
  type: 'LedgerNotBeforeSet';
  data: { notBefore: string; setAt: string; reason: string | null };
}

export type LedgerWideEvent = LedgerNotBeforeSet;

export const LEDGER_WIDE_EVENT_TYPES = ['LedgerNotBeforeSet'] as const;
type _LedgerWideEventTypes = Assert<SameMembers<(typeof LEDGER_WIDE_EVENT_TYPES)[number], LedgerWideEvent['type']>>;

export type LedgerWideState = { status: 'open' } | { status: 'cut'; notBefore: string; setAt: string };

export const initialLedgerWideState = (): LedgerWideState => ({ status: 'open' });

export function evolveLedgerWide(state: LedgerWideState, event: LedgerWideEvent): LedgerWideState {
  switch (event.type) {
    case 'LedgerNotBeforeSet':
      return { status: 'cut', notBefore: event.data.notBefore, setAt: event.data.setAt };
    default: {
      const _exhaustive: never = event.type;
      return state;
    }
  }
}
