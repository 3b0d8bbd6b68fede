import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, notFound } from '@ledger/domain';
import { CLIENT_VIEW, CONSENT_VIEW, ClientView, ConsentView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { problem, ProblemError } from '../../http/problem';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { CursorSigner } from '../../infrastructure/cursor-signer';
import { consentFromView } from '../../consents/consent.result';
import { ClientIdParam } from '../client-id.param';
import { ListClientConsentsQuery } from './list-client-consents.request';
import { ClientConsentListResponse } from './list-client-consents.response';

@ApiTags('clients')
@Controller('v1/clients')
export class ListClientConsentsController {
  constructor(
    @Inject(CLIENT_VIEW) private readonly clients: ClientView,
    @Inject(CONSENT_VIEW) private readonly consents: ConsentView,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cursors: CursorSigner,
  ) {}

  /**
   * Keyset pagination in grant order, by the log position of each ConsentGranted: positions only grow, so a page
   * never repeats or skips a consent granted before the first page was read; a later grant comes at the end. The
   * cursor is signed for this client and status, so it means nothing elsewhere.
   */
  @Get(':id/consents')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: "List a client's consents (ListClientConsents)",
    description: 'In grant order, a page at a time: pass nextCursor as cursor. An expired consent shows as expired (status=all).',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Client id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_request for the query, or invalid_cursor: a cursor this service did not give'], [404, 'client_not_found'])
  @ApiOkResponse({ type: ClientConsentListResponse })
  list(@ClientIdParam() clientId: string, @Query() query: ListClientConsentsQuery): ClientConsentListResponse {
    if (!this.clients.client(clientId)) throw notFound('client_not_found', `Client ${clientId} is not registered`);
    const limit = query.limit ?? 20;
    const status = query.status ?? 'active';
    const list = `client-consents:${status}:${clientId}`;
    let afterPosition: number | undefined;
    if (query.cursor !== undefined) {
      const position = this.cursors.verify(list, query.cursor);
      if (position === undefined || !/^\d{1,16}$/.test(position)) {
        throw new ProblemError(problem(400, 'invalid_cursor', 'Bad request', 'cursor is not one this service gave for this list'));
      }
      afterPosition = Number(position);
    }
    const nowMs = this.clock.now();
    // One more than a page: whether there is a next page is known without a second query.
    const rows = this.consents.consentsByClient(clientId, { afterPosition, limit: limit + 1, ...(status === 'active' ? { activeAt: new Date(nowMs) } : {}) });
    const page = rows.slice(0, limit);
    return {
      consents: page.map((row) => consentFromView(row, nowMs)),
      nextCursor: rows.length > limit ? this.cursors.sign(list, String(page[page.length - 1].position)) : null,
    };
  }
}
