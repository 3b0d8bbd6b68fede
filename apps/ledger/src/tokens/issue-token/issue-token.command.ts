import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';
import type { IssueTokenResponse } from './issue-token.request';

export class IssueTokenCommand extends Command<IssueTokenResponse> {
  constructor(
    readonly data: { consentId: string; scopes?: string[]; expiresIn?: number },
    readonly meta: CommandMetadata,
    /**
     * Present when the request carried an Idempotency-Key: the token is then derived from it (see TokenMinter), and
     * the consent stream records the key hash and fingerprint, so that a retry on any instance is recognised.
     */
    readonly idempotency?: { key: string; keyHash: string; fingerprint: string },
  ) {
    super();
  }
}
