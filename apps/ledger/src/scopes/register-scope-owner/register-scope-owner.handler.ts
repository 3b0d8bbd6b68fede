import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream, scopeOwnerDecider, scopeStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { scopeOwnerFromState } from '../scope-owner.result';
import { RegisterScopeOwnerCommand } from './register-scope-owner.command';

@CommandHandler(RegisterScopeOwnerCommand)
export class RegisterScopeOwnerHandler implements ICommandHandler<RegisterScopeOwnerCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: RegisterScopeOwnerCommand) {
    // Read fresh, as a grant reads its client: a disabled client must not take a scope on another instance's cache.
    const { state: client } = await this.executor.load(clientStream(data.clientId), clientDecider, { fresh: true });
    const { state, events } = await this.executor.execute(scopeStream(data.scope), scopeOwnerDecider, { type: 'RegisterScopeOwner', data, context: { client } }, meta);
    return { owner: scopeOwnerFromState(state)!, created: events.length > 0 };
  }
}
