import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { consentDecider, invalid, scopeString } from '@ledger/domain';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { TokenMinter } from '../../infrastructure/token-minter';
import { expiresIn, issuedToken, PresentedTokens } from '../presented-token';
import { RefreshTokenCommand, RefreshTokenResult } from './refresh-token.command';

const unknownGrant = () => invalid('invalid_grant', 'The refresh token is unknown, expired or revoked');

@CommandHandler(RefreshTokenCommand)
export class RefreshTokenHandler implements ICommandHandler<RefreshTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
    private readonly presented: PresentedTokens,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /**
   * The view only locates the refresh token's consent stream and says whether a cut of another stream (a
   * not-before) has ended it; rotation, reuse and every rule of the consent are decided on the stream itself.
   */
  async execute({ refreshToken, scopes, byClient, meta }: RefreshTokenCommand): Promise<RefreshTokenResult> {
    const presented = await this.presented.locate(refreshToken, 'refresh_token', meta.now);
    if (!presented) throw unknownGrant();
    const { row, stream, lookupActive } = presented;
    const { client, userRevocations } = await this.presented.context(row.clientId, row.sub);
    const access = this.minter.mint();
    const refresh = this.minter.mintRefresh();
    const { events } = await this.executor.execute(
      stream,
      consentDecider,
      {
        type: 'RefreshToken',
        data: { tokenId: row.tokenId, byClient, ...(scopes ? { scopes } : {}), access: ids(access), refresh: ids(refresh) },
        context: { client, userRevocations, lookupActive, lifetimes: this.config.refreshLifetimes },
      },
      meta,
    );
    const issued = issuedToken(events);
    // Reuse: the family's revocation is appended (and published); the request itself is refused all the same.
    if (!issued) throw invalid('invalid_grant', 'The refresh token was already used: every token of its family has been revoked');
    return { access_token: access.raw, token_type: 'Bearer', expires_in: expiresIn(issued, meta.now), refresh_token: refresh.raw, scope: scopeString(issued.data.scopes) };
  }
}

const ids = (t: { tokenId: string; tokenHash: string }) => ({ tokenId: t.tokenId, tokenHash: t.tokenHash });
