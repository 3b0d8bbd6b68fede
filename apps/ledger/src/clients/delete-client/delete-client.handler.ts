import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { DeleteClientCommand } from './delete-client.command';

@CommandHandler(DeleteClientCommand)
export class DeleteClientHandler implements ICommandHandler<DeleteClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: DeleteClientCommand) {
    // Disables an active client first: a revocation, ahead of the stream's other commands, never shed.
    const { state, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'DeleteClient', data }, meta, { priority: 'revocation' });
    return clientFromState(state, revision);
  }
}
