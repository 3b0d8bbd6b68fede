import { CommandMetadata } from '../shared/command-metadata';
import { notBeforeToSet } from '../shared/not-before';
import { LedgerWideEvent, LedgerWideState } from './ledger-wide';

export interface SetLedgerNotBefore {
  type: 'SetLedgerNotBefore';
  /** notBefore absent: now. */
  data: { notBefore?: string };
}

/** Ends every token of the ledger issued before it (a key compromise, an incident); consents and clients stay. */
export function setLedgerNotBefore(command: SetLedgerNotBefore, state: LedgerWideState, meta: CommandMetadata): LedgerWideEvent[] {
  const notBefore = notBeforeToSet(command.data.notBefore, state.status === 'cut' ? state.notBefore : null, meta.now);
  if (notBefore === undefined) return [];
  return [{ type: 'LedgerNotBeforeSet', data: { notBefore, setAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
