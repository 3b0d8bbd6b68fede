import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { userDecider, userStream } from '@ledger/domain';
import { userFromState } from '../user.result';
import { SetUserNotBeforeCommand } from './set-user-not-before.command';

@CommandHandler(SetUserNotBeforeCommand)
export class SetUserNotBeforeHandler implements ICommandHandler<SetUserNotBeforeCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: SetUserNotBeforeCommand) {
    // A revocation: ahead of the stream's other commands, never shed.
    const { state, revision } = await this.executor.execute(userStream(data.userId), userDecider, { type: 'SetUserNotBefore', data }, meta, { priority: 'revocation' });
    return userFromState(data.userId, state, revision);
  }
}
