import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';

/** RFC 8693 section 2.2.1: the one token an exchange issues. The raw token appears here once and nowhere else. */
export interface ExchangeTokenResult {
  access_token: string;
  issued_token_type: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * RFC 8693 token exchange for a dependent consent: the dependent service (`byClient`, authenticated as its own
 * client) presents the user's access token (`subjectToken`, hashed by the handler and never kept) and asks for one
 * dependent scope.
 */
export class ExchangeTokenCommand extends Command<ExchangeTokenResult> {
  constructor(
    readonly subjectToken: string,
    readonly scopes: string[],
    readonly byClient: string,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
