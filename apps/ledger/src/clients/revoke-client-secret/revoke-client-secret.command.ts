import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RevokeClientSecret } from '@ledger/domain';
import type { ClientSecretResult } from '../client-secret.result';

export class RevokeClientSecretCommand extends Command<ClientSecretResult> {
  constructor(
    readonly data: RevokeClientSecret['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
