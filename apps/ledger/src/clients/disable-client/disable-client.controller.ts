import { Body, Controller, Post, HttpCode } from '@nestjs/common';
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
import { DisableClientCommand } from './disable-client.command';
import { DisableClientRequest } from './disable-client.request';

@ApiTags('clients')
@Controller('v1/clients')
export class DisableClientController {
  constructor(private readonly commands: CommandBus) {}

  /** One event, whatever the number of consents and tokens; resource services hear one revocation. */
  @Post(':id/disable')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Disable a client (DisableClient)',
    description: 'Ends every token of the client at once and refuses it new consents and tokens until it is enabled. Takes effect before this answers: every token of the client introspects inactive on this instance. Disabling a disabled client changes nothing.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found'], [409, 'client_deleted'], 422)
  @ApiExtraModels(DisableClientRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(DisableClientRequest) }] } })
  @ApiOkResponse({ type: ClientResponse, description: 'The client, disabled' })
  disable(@ClientIdParam() clientId: string, @Body() body: DisableClientRequest, @CommandMeta() meta: CommandMetadata) {
    // The reason travels with the metadata, as RevokeConsent's does.
    return this.commands.execute(new DisableClientCommand({ clientId }, { ...meta, reason: body?.reason }));
  }
}
