import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { RegisterClientCommand } from './register-client.command';

@CommandHandler(RegisterClientCommand)
export class RegisterClientHandler implements ICommandHandler<RegisterClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: RegisterClientCommand) {
    const { state, events, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'RegisterClient', data }, meta);
    return { client: clientFromState(state, revision), created: events.length > 0 };
  }
}
