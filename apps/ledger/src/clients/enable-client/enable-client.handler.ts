import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { EnableClientCommand } from './enable-client.command';

@CommandHandler(EnableClientCommand)
export class EnableClientHandler implements ICommandHandler<EnableClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: EnableClientCommand) {
    const { state, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'EnableClient', data }, meta);
    return clientFromState(state, revision);
  }
}
