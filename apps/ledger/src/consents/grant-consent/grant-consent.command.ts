import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, GrantConsent } from '@ledger/domain';
import type { ConsentResult } from '../consent.result';

export class GrantConsentCommand extends Command<{ consent: ConsentResult; created: boolean }> {
  constructor(
    readonly data: GrantConsent['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
