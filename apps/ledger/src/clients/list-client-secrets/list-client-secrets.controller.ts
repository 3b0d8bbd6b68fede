import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, notFound } from '@ledger/domain';
import { CLIENT_VIEW, ClientView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { PageQuery } from '../../http/page.request';
import { problem, ProblemError } from '../../http/problem';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { CursorSigner } from '../../infrastructure/cursor-signer';
import { ClientIdParam } from '../client-id.param';
import { clientSecretResult } from '../client-secret.result';
import { ClientSecretListResponse } from './list-client-secrets.response';

@ApiTags('clients')
@Controller('v1/clients')
export class ListClientSecretsController {
  constructor(
    @Inject(CLIENT_VIEW) private readonly views: ClientView,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cursors: CursorSigner,
  ) {}

  /**
   * Pages like every list, in the order secrets were added (addedAt, then id), after the last one shown. At most
   * five authenticate at once, but ended ones stay listed (history), so a client rotated for years has many; they
   * are all read for authentication anyway, so the page is cut here. The statuses are as of now (the clock).
   */
  @Get(':id/secrets')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: "List a client's secrets (ListClientSecrets)",
    description: 'Ids, statuses and times, never a secret or its hash, oldest first, a page at a time: pass nextCursor as cursor. From the views; 503 views_rebuilding while they are rebuilt from empty.',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_request for the query, or invalid_cursor: a cursor this service did not give'], [404, 'client_not_found'])
  @ApiOkResponse({ type: ClientSecretListResponse })
  list(@ClientIdParam() clientId: string, @Query() query: PageQuery): ClientSecretListResponse {
    if (!this.views.client(clientId)) throw notFound('client_not_found', `Client ${clientId} is not registered`);
    const limit = query.limit ?? 20;
    const list = `client-secrets:${clientId}`;
    let rows = this.views.secrets(clientId);
    if (query.cursor !== undefined) {
      const m = /^(\S{1,64}) (\S{1,128})$/.exec(this.cursors.verify(list, query.cursor) ?? '');
      if (!m) throw new ProblemError(problem(400, 'invalid_cursor', 'Bad request', 'cursor is not one this service gave for this list'));
      const [, addedAt, secretId] = m;
      rows = rows.filter((s) => s.addedAt > addedAt || (s.addedAt === addedAt && s.secretId > secretId));
    }
    const now = this.clock.now();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      secrets: page.map((s) => clientSecretResult(s, now)),
      nextCursor: rows.length > limit ? this.cursors.sign(list, `${last.addedAt} ${last.secretId}`) : null,
    };
  }
}
