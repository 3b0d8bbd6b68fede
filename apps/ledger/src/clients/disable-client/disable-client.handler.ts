import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { DisableClientCommand } from './disable-client.command';

@CommandHandler(DisableClientCommand)
export class DisableClientHandler implements ICommandHandler<DisableClientCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: DisableClientCommand) {
    // A revocation: ahead of the stream's other commands, never shed.
    const { state, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'DisableClient', data }, meta, { priority: 'revocation' });
    return clientFromState(state, revision);
  }
}
