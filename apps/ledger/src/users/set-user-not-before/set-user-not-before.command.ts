import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, SetUserNotBefore } from '@ledger/domain';
import type { UserResult } from '../user.result';

export class SetUserNotBeforeCommand extends Command<UserResult> {
  constructor(
    readonly data: SetUserNotBefore['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
