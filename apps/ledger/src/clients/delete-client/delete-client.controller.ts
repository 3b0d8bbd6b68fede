import { Body, Controller, Delete, HttpCode } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { ClientIdParam } from '../client-id.param';
import { ClientResponse } from '../client.response';
import { DeleteClientCommand } from './delete-client.command';
import { DeleteClientRequest } from './delete-client.request';

@ApiTags('clients')
@Controller('v1/clients')
export class DeleteClientController {
  constructor(private readonly commands: CommandBus) {}

  /** A delete keeps the stream: the audit trail names the client, and a new client under the id would inherit it. */
  @Delete(':id')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Delete a client (DeleteClient)',
    description: 'A disable that is never undone: every token of the client ends before this answers, and nothing changes the client again. Its history is kept, and its id is never registered again (409 client_deleted). Deleting a deleted client changes nothing.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found'], 422)
  @ApiExtraModels(DeleteClientRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(DeleteClientRequest) }] } })
  @ApiOkResponse({ type: ClientResponse, description: 'The client, deleted' })
  remove(@ClientIdParam() clientId: string, @Body() body: DeleteClientRequest, @CommandMeta() meta: CommandMetadata) {
    // The reason travels with the metadata, as RevokeConsent's does.
    return this.commands.execute(new DeleteClientCommand({ clientId }, { ...meta, reason: body?.reason }));
  }
}
