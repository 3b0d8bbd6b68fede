import { Inject, Injectable } from '@nestjs/common';
import { hashToken } from '@ledger/domain';
import { TOKEN_VIEW, TokenView } from '@ledger/projections';

export type IntrospectionResponse =
  | { active: false }
  | { active: true; scope: string; client_id: string; sub: string; exp: number; iat: number; jti: string; token_type: 'Bearer' };

const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/** Answers RFC 7662 from the token validity view: one primary-key lookup by SHA-256 hash. */
@Injectable()
export class IntrospectToken {
  constructor(@Inject(TOKEN_VIEW) private readonly tokens: TokenView) {}

  /** False while a rebuild from 0 stages the token view: answer() then throws ViewsRebuildingError. */
  get available(): boolean {
    return this.tokens.available;
  }

  answer(rawToken: string, nowMs: number): IntrospectionResponse {
    const row = this.tokens.token(hashToken(rawToken));
    if (!row || !row.active || row.exp * 1000 <= nowMs) return INACTIVE;
    return { active: true, scope: row.scope, client_id: row.clientId, sub: row.sub, exp: row.exp, iat: row.iat, jti: row.tokenId, token_type: 'Bearer' };
  }
}
