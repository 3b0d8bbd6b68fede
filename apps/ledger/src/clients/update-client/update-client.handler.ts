import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { UpdateClientCommand } from './update-client.command';

@CommandHandler(UpdateClientCommand)
export class UpdateClientHandler implements ICommandHandler<UpdateClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: UpdateClientCommand) {
    // New allowed scopes may narrow the client: a revocation, which goes ahead of the stream's other commands.
    const priority = data.allowedScopes === undefined ? 'normal' : 'revocation';
    const { state, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'UpdateClient', data }, meta, { priority });
    return clientFromState(state, revision);
  }
}
