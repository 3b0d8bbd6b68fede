import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';

/** RFC 6749 section 5.1, for a refresh: the new pair. The raw tokens appear here once and nowhere else. */
export interface RefreshTokenResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/**
 * The refresh token grant (RFC 6749 section 6) of an OAuth client, authenticated with its own credentials. The raw
 * refresh token goes no further than the handler, which hashes it to find its consent's stream.
 */
export class RefreshTokenCommand extends Command<RefreshTokenResult> {
  constructor(
    readonly refreshToken: string,
    readonly scopes: string[] | undefined,
    readonly byClient: string,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
