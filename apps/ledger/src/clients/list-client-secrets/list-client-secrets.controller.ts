import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, notFound } from '@ledger/domain';
import { CLIENT_VIEW, ClientView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { ClientIdParam } from '../client-id.param';
import { clientSecretResult } from '../client-secret.result';
import { ClientSecretListResponse } from './list-client-secrets.response';

@ApiTags('clients')
@Controller('v1/clients')
export class ListClientSecretsController {
  constructor(
    @Inject(CLIENT_VIEW) private readonly views: ClientView,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** At most a handful per client that authenticate, so no pages; the statuses are as of now (the clock). */
  @Get(':id/secrets')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: "List a client's secrets (ListClientSecrets)",
    description: 'Ids, statuses and times, never a secret or its hash. From the views; 503 views_rebuilding while they are rebuilt from empty.',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found'])
  @ApiOkResponse({ type: ClientSecretListResponse })
  list(@ClientIdParam() clientId: string): ClientSecretListResponse {
    if (!this.views.client(clientId)) throw notFound('client_not_found', `Client ${clientId} is not registered`);
    const now = this.clock.now();
    return { secrets: this.views.secrets(clientId).map((s) => clientSecretResult(s, now)) };
  }
}
