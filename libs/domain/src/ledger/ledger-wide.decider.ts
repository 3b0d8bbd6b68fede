import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { evolveLedgerWide, initialLedgerWideState, LedgerWideEvent, LedgerWideState } from './ledger-wide';
import { SetLedgerNotBefore, setLedgerNotBefore } from './set-ledger-not-before';

export type LedgerWideCommand = SetLedgerNotBefore;

export function decideLedgerWide(command: LedgerWideCommand, state: LedgerWideState, meta: CommandMetadata): LedgerWideEvent[] {
  switch (command.type) {
    case 'SetLedgerNotBefore':
      return setLedgerNotBefore(command, state, meta);
    default: {
      const _exhaustive: never = command.type;
      throw new Error(`Unknown ledger-wide command ${String(_exhaustive)}`);
    }
  }
}

export const ledgerWideDecider: Decider<LedgerWideState, LedgerWideCommand, LedgerWideEvent> = {
  initialState: initialLedgerWideState,
  evolve: evolveLedgerWide,
  decide: decideLedgerWide,
};
