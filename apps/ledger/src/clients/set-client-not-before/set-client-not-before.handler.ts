import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientFromState } from '../client.result';
import { SetClientNotBeforeCommand } from './set-client-not-before.command';

@CommandHandler(SetClientNotBeforeCommand)
export class SetClientNotBeforeHandler implements ICommandHandler<SetClientNotBeforeCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: SetClientNotBeforeCommand) {
    // A revocation: ahead of the stream's other commands, never shed.
    const { state, revision } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'SetClientNotBefore', data }, meta, { priority: 'revocation' });
    return clientFromState(state, revision);
  }
}
