import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import {
  clientDecider,
  ClientState,
  clientStream,
  CommandMetadata,
  conflict,
  type ConsentId,
  consentDecider,
  ConsentState,
  idempotentIssueOf,
  scopeString,
  unavailable,
  userDecider,
  userRevocationsOf,
  userStream,
} from '@ledger/domain';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { MintedToken, TokenMinter } from '../../infrastructure/token-minter';
import { IssueTokenCommand, IssueTokenResult } from './issue-token.command';

@CommandHandler(IssueTokenCommand)
export class IssueTokenHandler implements ICommandHandler<IssueTokenCommand> {
  private readonly logger = new Logger('IssueToken');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ data, meta, idempotency }: IssueTokenCommand): Promise<IssueTokenResult> {
    // Under a key, this attempt's nonce counts only if the stream has no open window for the key yet.
    const nonce = idempotency && this.minter.nonce();
    const token = idempotency ? this.minter.derive(meta.actor, idempotency.key, nonce!) : this.minter.mint();
    // Used only where the consent allows refresh; derived like the access token under a key, so a retry re-creates it.
    const refresh = idempotency ? this.minter.deriveRefresh(meta.actor, idempotency.key, nonce!) : this.minter.mintRefresh();
    const windowSeconds = this.config.idempotencyTtlSeconds;
    const context = await this.contextOf(data.consent);
    const { state } = await this.executor.execute(
      data.consent.stream,
      consentDecider,
      {
        type: 'IssueToken',
        data: {
          ...data,
          tokenId: token.tokenId,
          tokenHash: token.tokenHash,
          refresh: { tokenId: refresh.tokenId, tokenHash: refresh.tokenHash },
          ...(idempotency ? { idempotency: { keyHash: idempotency.keyHash, fingerprint: idempotency.fingerprint, nonce: nonce!, windowSeconds } } : {}),
        },
        context: { ...context, refreshLifetimes: this.config.refreshLifetimes },
      },
      meta,
    );
    // The stream says which token a key stands for: this attempt's when it issued one, the first attempt's on a retry.
    const [answer, answerRefresh] = idempotency ? this.tokenOfWindow(state, meta, idempotency) : [token, refresh];
    // The state is the stream's newest and moves on with later commands (consent.ts, evolveConsent): a token issued
    // for a second only may be expired and pruned by the time it is read here.
    const issued = state.status === 'none' ? undefined : state.tokens.get(answer.tokenId);
    if (!issued) throw conflict('token_no_longer_active', 'The token issued for this request has already expired');
    // A retry answers with the refresh token only while it is unused: handing out one a refresh has ended would
    // have the client's next refresh taken for a reuse, and its family ended.
    const refreshState = state.status === 'none' ? undefined : state.refreshTokens.get(answerRefresh.tokenId);
    const withRefresh = refreshState?.status === 'live' && refreshState.familyId === issued.familyId ? { refresh_token: answerRefresh.raw } : {};
    return {
      access_token: answer.raw,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.round((issued.expiresAtMs - meta.now.getTime()) / 1000)),
      scope: scopeString(issued.scopes),
      token_id: answer.tokenId,
      ...withRefresh,
    };
  }

  /**
   * The state of the consent's client and the user-wide revocations of its user, both read fresh (see
   * GrantConsentHandler). The consent id names its stream but not its client or user, so the consent's state says
   * which: the cached one will do, since a stream's pair never changes. An unknown consent has neither; the decider
   * refuses it before it asks.
   */
  private async contextOf(consent: ConsentId): Promise<{ client: ClientState; userRevocations: number }> {
    let { state } = await this.executor.load(consent.stream, consentDecider, { fresh: false });
    if (state.status === 'none') ({ state } = await this.executor.load(consent.stream, consentDecider, { fresh: true }));
    if (state.status === 'none') return { client: clientDecider.initialState(), userRevocations: 0 };
    const [client, user] = await Promise.all([
      this.executor.load(clientStream(state.clientId), clientDecider, { fresh: true }),
      this.executor.load(userStream(state.userId), userDecider, { fresh: true }),
    ]);
    return { client: client.state, userRevocations: userRevocationsOf(user.state) };
  }

  /** The access token a key's window names, and the refresh token derived with it. */
  private tokenOfWindow(state: ConsentState, meta: CommandMetadata, idempotency: NonNullable<IssueTokenCommand['idempotency']>): [MintedToken, MintedToken] {
    const window = idempotentIssueOf(state, idempotency.keyHash, meta.now);
    if (!window) throw new Error('IssueToken under a key left no open window for it');
    const token = this.minter.derive(meta.actor, idempotency.key, window.nonce);
    if (token.tokenId !== window.tokenId) {
      // Another token key than the one that issued it: a data directory started elsewhere, or instances on one
      // EventStoreDB without a shared LEDGER_TOKEN_KEY. Minting anew would issue a second token for one request.
      this.logger.error({ msg: 'cannot re-derive an idempotent token: this instance has another token key than the one that issued it', tokenId: window.tokenId });
      throw unavailable('token_key_mismatch', 'The token issued for this Idempotency-Key cannot be re-created by this instance; retry later or use a new key');
    }
    return [token, this.minter.deriveRefresh(meta.actor, idempotency.key, window.nonce)];
  }
}
