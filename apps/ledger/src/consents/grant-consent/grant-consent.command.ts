import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, GrantConsent } from '@ledger/domain';
import type { ConsentResponse } from '../consent.response';

export class GrantConsentCommand extends Command<{ consent: ConsentResponse; created: boolean }> {
  constructor(
    readonly data: GrantConsent['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
