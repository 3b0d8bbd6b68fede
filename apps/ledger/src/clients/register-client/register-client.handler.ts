import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { RegisterClientCommand } from './register-client.command';

@CommandHandler(RegisterClientCommand)
export class RegisterClientHandler implements ICommandHandler<RegisterClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: RegisterClientCommand) {
    const { state, events } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'RegisterClient', data }, meta);
    if (state.status === 'unregistered') throw new Error('RegisterClient left the client unregistered');
    const { clientId, name, allowedScopes, termsUrl, registeredAt } = state;
    return { client: { id: clientId, name, allowedScopes, termsUrl, registeredAt }, created: events.length > 0 };
  }
}
