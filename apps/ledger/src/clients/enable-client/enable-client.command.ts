import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, EnableClient } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class EnableClientCommand extends Command<ClientResult> {
  constructor(
    readonly data: EnableClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
