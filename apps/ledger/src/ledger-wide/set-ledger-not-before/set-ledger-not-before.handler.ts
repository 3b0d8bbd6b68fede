import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { LEDGER_WIDE_STREAM, ledgerWideDecider } from '@ledger/domain';
import { LedgerNotBeforeResult, SetLedgerNotBeforeCommand } from './set-ledger-not-before.command';

@CommandHandler(SetLedgerNotBeforeCommand)
export class SetLedgerNotBeforeHandler implements ICommandHandler<SetLedgerNotBeforeCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: SetLedgerNotBeforeCommand): Promise<LedgerNotBeforeResult> {
    const { state, revision } = await this.executor.execute(LEDGER_WIDE_STREAM, ledgerWideDecider, { type: 'SetLedgerNotBefore', data }, meta, { priority: 'revocation' });
    return state.status === 'cut' ? { notBefore: state.notBefore, setAt: state.setAt, revision } : { notBefore: null, setAt: null, revision };
  }
}
