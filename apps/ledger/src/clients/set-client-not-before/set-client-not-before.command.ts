import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, SetClientNotBefore } from '@ledger/domain';
import type { ClientResult } from '../client.result';

export class SetClientNotBeforeCommand extends Command<ClientResult> {
  constructor(
    readonly data: SetClientNotBefore['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
