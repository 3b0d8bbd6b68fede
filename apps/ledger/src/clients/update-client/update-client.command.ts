import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, UpdateClient } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class UpdateClientCommand extends Command<ClientResult> {
  constructor(
    readonly data: UpdateClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
