import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { clientDecider, clientStream, type ConsentEvent, consentDecider, type TokenIssued, hashToken, invalid, parseConsentId, scopeString, userDecider, userRevocationsOf, userStream } from '@ledger/domain';
import { TOKEN_VIEW, TokenView } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { TokenMinter } from '../../infrastructure/token-minter';
import { RefreshTokenCommand, RefreshTokenResult } from './refresh-token.command';

const unknownGrant = () => invalid('invalid_grant', 'The refresh token is unknown, expired or revoked');

@CommandHandler(RefreshTokenCommand)
export class RefreshTokenHandler implements ICommandHandler<RefreshTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
    @Inject(TOKEN_VIEW) private readonly views: TokenView,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /**
   * The view only locates the refresh token's consent stream and says whether a cut of another stream (a
   * not-before) has ended it; rotation, reuse and every rule of the consent are decided on the stream itself. A hash
   * this instance's views do not know may have been issued on another instance a moment ago: the views catch up
   * with the store once before the answer is invalid_grant.
   */
  async execute({ refreshToken, scopes, byClient, meta }: RefreshTokenCommand): Promise<RefreshTokenResult> {
    const tokenHash = hashToken(refreshToken);
    let row = this.views.token(tokenHash);
    if (!row) {
      await this.readYourWrites.caughtUp(this.config.consistencyWaitMs).catch(() => undefined);
      row = this.views.token(tokenHash);
    }
    const consent = row && parseConsentId(row.consentId);
    if (!row || row.tokenUse !== 'refresh_token' || !consent) throw unknownGrant();
    const [client, user] = await Promise.all([
      this.executor.load(clientStream(row.clientId), clientDecider, { fresh: true }),
      this.executor.load(userStream(row.sub), userDecider, { fresh: true }),
    ]);
    const access = this.minter.mint();
    const refresh = this.minter.mintRefresh();
    const { events } = await this.executor.execute(
      consent.stream,
      consentDecider,
      {
        type: 'RefreshToken',
        data: { tokenId: row.tokenId, byClient, ...(scopes ? { scopes } : {}), access: ids(access), refresh: ids(refresh) },
        context: {
          client: client.state,
          userRevocations: userRevocationsOf(user.state),
          lookupActive: row.active && row.exp * 1000 > meta.now.getTime(),
          lifetimes: this.config.refreshLifetimes,
        },
      },
      meta,
    );
    const issued = events.find((e: ConsentEvent): e is TokenIssued => e.type === 'TokenIssued');
    // Reuse: the family's revocation is appended (and published); the request itself is refused all the same.
    if (!issued) throw invalid('invalid_grant', 'The refresh token was already used: every token of its family has been revoked');
    return {
      access_token: access.raw,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.round((Date.parse(issued.data.expiresAt) - meta.now.getTime()) / 1000)),
      refresh_token: refresh.raw,
      scope: scopeString(issued.data.scopes),
    };
  }
}

const ids = (t: { tokenId: string; tokenHash: string }) => ({ tokenId: t.tokenId, tokenHash: t.tokenHash });
