import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RevokeConsent } from '@ledger/domain';
import type { ConsentResult } from '../consent.result';

/** The consent after the revocation, and how many live tokens this revocation ended. */
export type RevokeConsentResult = ConsentResult & { tokensEnded: number };

export class RevokeConsentCommand extends Command<RevokeConsentResult> {
  constructor(
    readonly data: RevokeConsent['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
