import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { clientDecider, clientStream, type ConsentEvent, consentDecider, type TokenIssued, hashToken, invalid, parseConsentId, scopeString, userDecider, userRevocationsOf, userStream } from '@ledger/domain';
import { TOKEN_VIEW, TokenView } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { TokenMinter } from '../../infrastructure/token-minter';
import { ACCESS_TOKEN_TYPE } from '../grant-types';
import { ExchangeTokenCommand, ExchangeTokenResult } from './exchange-token.command';

const unacceptable = () => invalid('invalid_request', 'subject_token is not an active access token');

@CommandHandler(ExchangeTokenCommand)
export class ExchangeTokenHandler implements ICommandHandler<ExchangeTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
    @Inject(TOKEN_VIEW) private readonly views: TokenView,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /**
   * The view only locates the subject token's root consent stream (a dependent token's consent is its root's) and
   * says whether a cut of another stream has ended it; the dependent consent and every rule of it are decided on the
   * root's stream. A hash the views do not know yet may have been issued on another instance a moment ago: the views
   * catch up once before the answer is invalid_request. A refresh token is never a subject.
   */
  async execute({ subjectToken, scopes, byClient, meta }: ExchangeTokenCommand): Promise<ExchangeTokenResult> {
    const tokenHash = hashToken(subjectToken);
    let row = this.views.token(tokenHash);
    if (!row) {
      await this.readYourWrites.caughtUp(this.config.consistencyWaitMs).catch(() => undefined);
      row = this.views.token(tokenHash);
    }
    const consent = row && parseConsentId(row.consentId);
    if (!row || row.tokenUse !== 'access_token' || !consent) throw unacceptable();
    const [client, user] = await Promise.all([
      this.executor.load(clientStream(byClient), clientDecider, { fresh: true }),
      this.executor.load(userStream(row.sub), userDecider, { fresh: true }),
    ]);
    const access = this.minter.mint();
    const { events } = await this.executor.execute(
      consent.stream,
      consentDecider,
      {
        type: 'ExchangeToken',
        data: { subjectTokenId: row.tokenId, byClient, scopes, access: { tokenId: access.tokenId, tokenHash: access.tokenHash } },
        context: { client: client.state, userRevocations: userRevocationsOf(user.state), lookupActive: row.active && row.exp * 1000 > meta.now.getTime() },
      },
      meta,
    );
    const issued = events.find((e: ConsentEvent): e is TokenIssued => e.type === 'TokenIssued')!;
    return {
      access_token: access.raw,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.round((Date.parse(issued.data.expiresAt) - meta.now.getTime()) / 1000)),
      scope: scopeString(issued.data.scopes),
    };
  }
}
