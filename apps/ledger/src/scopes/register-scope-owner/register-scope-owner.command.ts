import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RegisterScopeOwner } from '@ledger/domain';
import type { ScopeOwnerResult } from '../scope-owner.result';

export class RegisterScopeOwnerCommand extends Command<{ owner: ScopeOwnerResult; created: boolean }> {
  constructor(
    readonly data: RegisterScopeOwner['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
