import { Inject, Injectable } from '@nestjs/common';
import { READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { hashToken, unavailable } from '@ledger/domain';
import { TOKEN_VIEW, TokenView, type TokenUse } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';

export type IntrospectionResponse =
  | { active: false }
  | { active: true; scope: string; client_id: string; sub: string; exp: number; iat: number; jti: string; token_type: 'Bearer'; iss: string; token_use: TokenUse };

const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/** Answers RFC 7662 from the token validity view: one primary-key lookup by SHA-256 hash. */
@Injectable()
export class IntrospectToken {
  constructor(
    @Inject(TOKEN_VIEW) private readonly tokens: TokenView,
    @Inject(READ_YOUR_WRITES) private readonly views: ReadYourWrites,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Throws ViewsRebuildingError while a rebuild from 0 stages the token view: the edge answers 503, never inactive. */
  answer(rawToken: string, nowMs: number): IntrospectionResponse {
    const row = this.tokens.token(hashToken(rawToken));
    if (!row || !row.active || row.exp * 1000 <= nowMs) return INACTIVE;
    // iss (RFC 7662 section 2.2): the one issuer, so a resource service that trusts several can tell them apart.
    // token_type keeps RFC 7662's meaning (how the token is used: Bearer); token_use says which kind it is, as Hydra
    // does, so that a resource service can refuse a refresh token presented as an access token.
    const { issuer: iss } = this.config;
    return { active: true, scope: row.scope, client_id: row.clientId, sub: row.sub, exp: row.exp, iat: row.iat, jti: row.tokenId, token_type: 'Bearer', iss, token_use: row.tokenUse };
  }

  /**
   * Consistency tokens (docs/scaling.md), parsed at the edge into the positions they name; none for the usual
   * request, which then waits for nothing and allocates nothing. Otherwise resolves once this instance's views
   * include the highest position, and rejects with 503 consistency_timeout when the views do not get there within
   * LEDGER_CONSISTENCY_WAIT_MS: an answer from views that may predate a revocation could say `active: true`.
   */
  whenConsistent(positions: number[]): Promise<void> | undefined {
    if (positions.length === 0) return undefined;
    return this.views.waitFor(Math.max(...positions), this.config.consistencyWaitMs).catch(() => {
      throw unavailable('consistency_timeout', `This instance's views did not reach the consistency token within ${this.config.consistencyWaitMs} ms; retry shortly`);
    });
  }
}

