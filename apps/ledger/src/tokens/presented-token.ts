import { Inject, Injectable } from '@nestjs/common';
import { CommandExecutor, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { clientDecider, clientStream, type ClientState, type ConsentEvent, hashToken, parseConsentId, type TokenIssued, userDecider, userRevocationsOf, userStream } from '@ledger/domain';
import { TOKEN_VIEW, TokenView, type TokenRow, type TokenUse } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';

/** A token a client presents to the token endpoint (a refresh token, an exchange's subject token), located. */
export interface PresentedToken {
  row: TokenRow;
  /** The consent stream that decides: a dependent token's consent is its root's. */
  stream: string;
  /** What the lookup alone says (a cut of another stream, or expiry, may have ended it): the decider's `lookupActive`. */
  lookupActive: boolean;
}

/**
 * What the refresh and exchange grants share before their decider runs: the view only locates the presented token's
 * consent stream and says whether another stream's cut has ended it; every rule is decided on the stream itself.
 */
@Injectable()
export class PresentedTokens {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(TOKEN_VIEW) private readonly views: TokenView,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /**
   * A hash this instance's views do not know may have been issued on another instance a moment ago: the views catch
   * up with the store once before the token counts as unknown. Undefined for an unknown token or one of another use.
   */
  async locate(rawToken: string, use: TokenUse, now: Date): Promise<PresentedToken | undefined> {
    const tokenHash = hashToken(rawToken);
    let row = this.views.token(tokenHash);
    if (!row) {
      await this.readYourWrites.caughtUp(this.config.consistencyWaitMs).catch(() => undefined);
      row = this.views.token(tokenHash);
    }
    const consent = row && parseConsentId(row.consentId);
    if (!row || row.tokenUse !== use || !consent) return undefined;
    return { row, stream: consent.stream, lookupActive: row.active && row.exp * 1000 > now.getTime() };
  }

  /** The client and the user as the stores hold them now (fresh: a disable or a cut on another instance counts). */
  async context(clientId: string, sub: string): Promise<{ client: ClientState; userRevocations: ReturnType<typeof userRevocationsOf> }> {
    const [client, user] = await Promise.all([this.executor.load(clientStream(clientId), clientDecider, { fresh: true }), this.executor.load(userStream(sub), userDecider, { fresh: true })]);
    return { client: client.state, userRevocations: userRevocationsOf(user.state) };
  }
}

export const issuedToken = (events: readonly ConsentEvent[]) => events.find((e): e is TokenIssued => e.type === 'TokenIssued');

/** RFC 6749 section 5.1's expires_in: whole seconds from now to the issued token's expiry. */
export const expiresIn = (issued: TokenIssued, now: Date) => Math.max(0, Math.round((Date.parse(issued.data.expiresAt) - now.getTime()) / 1000));
