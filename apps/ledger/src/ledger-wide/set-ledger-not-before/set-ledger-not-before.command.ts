import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, SetLedgerNotBefore } from '@ledger/domain';

/** The ledger-wide not-before in force after the command (null: none), and the revision of its stream. */
export interface LedgerNotBeforeResult {
  notBefore: string | null;
  setAt: string | null;
  revision: number;
}

export class SetLedgerNotBeforeCommand extends Command<LedgerNotBeforeResult> {
  constructor(
    readonly data: SetLedgerNotBefore['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
