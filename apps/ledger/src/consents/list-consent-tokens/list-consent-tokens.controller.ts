import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CONSENT_ID_PATTERN, ConsentId, notFound } from '@ledger/domain';
import { CONSENT_VIEW, ConsentTokenRow, ConsentView, TOKEN_VIEW, TokenView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { PageQuery } from '../../http/page.request';
import { problem, ProblemError } from '../../http/problem';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { CursorSigner } from '../../infrastructure/cursor-signer';
import { ConsentIdParam } from '../consent-id.param';
import { ConsentTokenListResponse, ConsentTokenResponse } from './list-consent-tokens.response';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

@ApiTags('consents')
@Controller('v1/consents')
export class ListConsentTokensController {
  constructor(
    @Inject(CONSENT_VIEW) private readonly consents: ConsentView,
    @Inject(TOKEN_VIEW) private readonly tokens: TokenView,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cursors: CursorSigner,
  ) {}

  /**
   * Keyset pagination in issue order, by the log position of each TokenIssued (see ListClientConsents). Each status
   * is the token view's lookup, as introspection would answer it now; a token's raw value was never stored, and its
   * hash is not shown either: it identifies a bearer token to whoever holds one.
   */
  @Get(':id/tokens')
  @RequireRole('commands', 'audit')
  @ApiOperation({ summary: "List a consent's tokens (ListConsentTokens)", description: 'Ids and metadata in issue order, a page at a time: pass nextCursor as cursor. Never a token.' })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Consent id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CONSENT_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_request for the query, or invalid_cursor: a cursor this service did not give'], [404, 'consent_not_found'])
  @ApiOkResponse({ type: ConsentTokenListResponse })
  list(@ConsentIdParam() consent: ConsentId, @Query() query: PageQuery): ConsentTokenListResponse {
    if (!this.consents.consent(consent.id)) throw notFound('consent_not_found', `Consent ${consent.id} does not exist`);
    const limit = query.limit ?? 20;
    const list = `consent-tokens:${consent.id}`;
    let afterPosition: number | undefined;
    if (query.cursor !== undefined) {
      const position = this.cursors.verify(list, query.cursor);
      if (position === undefined || !/^\d{1,16}$/.test(position)) {
        throw new ProblemError(problem(400, 'invalid_cursor', 'Bad request', 'cursor is not one this service gave for this list'));
      }
      afterPosition = Number(position);
    }
    const nowMs = this.clock.now();
    const rows = this.tokens.tokensOfConsent(consent.id, { afterPosition, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      tokens: page.map((row) => tokenOf(row, nowMs)),
      nextCursor: rows.length > limit ? this.cursors.sign(list, String(page[page.length - 1].position)) : null,
    };
  }
}

function tokenOf(row: ConsentTokenRow, nowMs: number): ConsentTokenResponse {
  const status = row.ended ? 'revoked' : row.exp * 1000 <= nowMs ? 'expired' : 'active';
  return { id: row.tokenId, scopes: row.scope.split(' '), issuedAt: iso(row.iat), expiresAt: iso(row.exp), status, tokenUse: row.tokenUse };
}
