import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CLIENT_VIEW, ClientView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { problem, ProblemError } from '../../http/problem';
import { CursorSigner } from '../../infrastructure/cursor-signer';
import { clientFromView } from '../client.result';
import { ListClientsQuery } from './list-clients.request';
import { ClientListResponse } from './list-clients.response';

const LIST = 'clients';

@ApiTags('clients')
@Controller('v1/clients')
export class ListClientsController {
  constructor(
    @Inject(CLIENT_VIEW) private readonly views: ClientView,
    private readonly cursors: CursorSigner,
  ) {}

  /**
   * Keyset pagination in client id order: ids never change and are never reused, so a page never repeats or skips a
   * client that existed when the first page was read, however many are registered meanwhile.
   */
  @Get()
  @RequireRole('commands', 'audit')
  @ApiOperation({ summary: 'List clients (ListClients)', description: 'In client id order, deleted clients included, a page at a time: pass nextCursor as cursor.' })
  @ApiCaller('commands', 'audit')
  @ApiProblems([400, 'invalid_request for the query, or invalid_cursor: a cursor this service did not give'])
  @ApiOkResponse({ type: ClientListResponse })
  list(@Query() query: ListClientsQuery): ClientListResponse {
    const limit = query.limit ?? 20;
    let after: string | undefined;
    if (query.cursor !== undefined) {
      after = this.cursors.verify(LIST, query.cursor);
      if (after === undefined) throw new ProblemError(problem(400, 'invalid_cursor', 'Bad request', 'cursor is not one this service gave'));
    }
    // One more than a page: whether there is a next page is known without a second query.
    const rows = this.views.clients({ after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      clients: page.map(clientFromView),
      nextCursor: rows.length > limit ? this.cursors.sign(LIST, page[page.length - 1].clientId) : null,
    };
  }
}
