import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { consentDecider, parseConsentId } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { TOKEN_VIEW, TokenView } from '@ledger/projections';
import { RevokeTokenCommand } from './revoke-token.command';

@CommandHandler(RevokeTokenCommand)
export class RevokeTokenHandler implements ICommandHandler<RevokeTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(TOKEN_VIEW) private readonly views: TokenView,
  ) {}

  async execute({ target, meta, byClient }: RevokeTokenCommand) {
    // The view only locates the token's consent stream; the decision, whose token it is included, is made on the
    // stream itself. An unknown token answers like a revoked one (RFC 7009 section 2.2).
    const row = 'tokenHash' in target ? this.views.token(target.tokenHash) : this.views.tokenById(target.tokenId);
    const parsed = row && parseConsentId(row.consentId);
    if (!row || !parsed) return { revoked: false };
    const { events } = await this.executor.execute(
      parsed.stream,
      consentDecider,
      { type: 'RevokeToken', data: { tokenId: row.tokenId, ...(byClient !== undefined ? { byClient } : {}) } },
      meta,
      { priority: 'revocation' },
    );
    return { revoked: events.length > 0 };
  }
}
