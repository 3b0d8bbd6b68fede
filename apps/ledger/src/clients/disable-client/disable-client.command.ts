import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, DisableClient } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class DisableClientCommand extends Command<ClientResult> {
  constructor(
    readonly data: DisableClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
