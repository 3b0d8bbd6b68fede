import { Body, Controller, Patch } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { ClientIdParam } from '../client-id.param';
import { ClientResponse } from '../client.response';
import { UpdateClientCommand } from './update-client.command';
import { UpdateClientRequest } from './update-client.request';

@ApiTags('clients')
@Controller('v1/clients')
export class UpdateClientController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * PATCH, not PUT: only the fields sent change. With PUT a rename that left out allowedScopes would have to mean
   * "any scope", widening the client; here a rename can never touch its scopes.
   */
  @Patch(':id')
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Update a client (UpdateClient)',
    description:
      'Sets the name, terms URL and allowed scopes that are given. Narrowing the allowed scopes takes effect before this answers: every token of the client carrying a removed scope introspects inactive on this instance.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems(
    [400, 'invalid_request, invalid_client_name, invalid_terms_url, invalid_scope, or nothing_to_update: no field given'],
    [404, 'client_not_found'],
    [409, 'client_deleted: a deleted client never changes again'],
    422,
  )
  @ApiOkResponse({ type: ClientResponse, description: 'The client after the change (unchanged when every field was as given)' })
  update(@ClientIdParam() clientId: string, @Body() body: UpdateClientRequest, @CommandMeta() meta: CommandMetadata) {
    const { name, termsUrl, allowedScopes, reason } = body;
    const data = { clientId, ...(name !== undefined ? { name } : {}), ...(termsUrl !== undefined ? { termsUrl } : {}), ...(allowedScopes !== undefined ? { allowedScopes } : {}) };
    return this.commands.execute(new UpdateClientCommand(data, { ...meta, reason }));
  }
}
