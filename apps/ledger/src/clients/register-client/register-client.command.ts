import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RegisterClient } from '@ledger/domain';
import type { ClientResponse } from './register-client.request';

export class RegisterClientCommand extends Command<{ client: ClientResponse; created: boolean }> {
  constructor(
    readonly data: RegisterClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
