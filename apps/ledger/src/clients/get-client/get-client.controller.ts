import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, notFound } from '@ledger/domain';
import { CLIENT_VIEW, ClientView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { ClientIdParam } from '../client-id.param';
import { ClientResponse } from '../client.response';
import { clientFromView } from '../client.result';

@ApiTags('clients')
@Controller('v1/clients')
export class GetClientController {
  constructor(@Inject(CLIENT_VIEW) private readonly views: ClientView) {}

  @Get(':id')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: 'Get a client (GetClient)',
    description: 'From the views, deleted clients included (history is kept); Ledger-Consistency on a command answer is how to read your own write on another instance.',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found'])
  @ApiOkResponse({ type: ClientResponse })
  get(@ClientIdParam() clientId: string): ClientResponse {
    const row = this.views.client(clientId);
    if (!row) throw notFound('client_not_found', `Client ${clientId} is not registered`);
    return clientFromView(row);
  }
}
