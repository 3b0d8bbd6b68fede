import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, DeleteClient } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class DeleteClientCommand extends Command<ClientResult> {
  constructor(
    readonly data: DeleteClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
