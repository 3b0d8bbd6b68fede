import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { consentDecider, invalid, scopeString } from '@ledger/domain';
import { TokenMinter } from '../../infrastructure/token-minter';
import { ACCESS_TOKEN_TYPE } from '../grant-types';
import { expiresIn, issuedToken, PresentedTokens } from '../presented-token';
import { ExchangeTokenCommand, ExchangeTokenResult } from './exchange-token.command';

const unacceptable = () => invalid('invalid_request', 'subject_token is not an active access token');

@CommandHandler(ExchangeTokenCommand)
export class ExchangeTokenHandler implements ICommandHandler<ExchangeTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
    private readonly presented: PresentedTokens,
  ) {}

  /**
   * The view only locates the subject token's root consent stream (a dependent token's consent is its root's); the
   * dependent consent and every rule of it are decided on the root's stream. A refresh token is never a subject.
   */
  async execute({ subjectToken, scopes, byClient, meta }: ExchangeTokenCommand): Promise<ExchangeTokenResult> {
    const subject = await this.presented.locate(subjectToken, 'access_token', meta.now);
    if (!subject) throw unacceptable();
    const { row, stream, lookupActive } = subject;
    const { client, userRevocations } = await this.presented.context(byClient, row.sub);
    const access = this.minter.mint();
    const { events } = await this.executor.execute(
      stream,
      consentDecider,
      {
        type: 'ExchangeToken',
        data: { subjectTokenId: row.tokenId, byClient, scopes, access: { tokenId: access.tokenId, tokenHash: access.tokenHash } },
        context: { client, userRevocations, lookupActive },
      },
      meta,
    );
    const issued = issuedToken(events)!;
    return { access_token: access.raw, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expiresIn(issued, meta.now), scope: scopeString(issued.data.scopes) };
  }
}
