import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RevokeConsent } from '@ledger/domain';
import type { RevokeConsentResponse } from './revoke-consent.request';

export class RevokeConsentCommand extends Command<RevokeConsentResponse> {
  constructor(
    readonly data: RevokeConsent['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
