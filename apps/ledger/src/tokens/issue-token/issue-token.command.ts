import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, IssueToken } from '@ledger/domain';

/** RFC 6749 section 5.1 shape. The raw token appears here once and nowhere else. */
export interface IssueTokenResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  token_id: string;
  /** Where the consent allows refresh: the first refresh token of a new family (POST /v1/oauth2/token). */
  refresh_token?: string;
}

export class IssueTokenCommand extends Command<IssueTokenResult> {
  constructor(
    readonly data: Pick<IssueToken['data'], 'consent' | 'scopes' | 'expiresIn'>,
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
