import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SsfExecutor } from '../ssf-executor';
import { SsfStreamState, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { ManageSsfStreamCommand } from './manage-ssf-stream.command';

@CommandHandler(ManageSsfStreamCommand)
export class ManageSsfStreamHandler implements ICommandHandler<ManageSsfStreamCommand> {
  constructor(private readonly executor: SsfExecutor) {}

  async execute({ command, meta }: ManageSsfStreamCommand): Promise<SsfStreamState> {
    return (await this.executor.execute(ssfStream(command.data.streamId), ssfStreamDecider, command, meta)).state;
  }
}
