import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RegisterClient } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class RegisterClientCommand extends Command<{ client: ClientResult; created: boolean }> {
  constructor(
    readonly data: RegisterClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
