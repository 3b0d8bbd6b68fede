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
import { EnableClientCommand } from './enable-client.command';
import { EnableClientRequest } from './enable-client.request';

@ApiTags('clients')
@Controller('v1/clients')
export class EnableClientController {
  constructor(private readonly commands: CommandBus) {}

  /** Nothing comes back: the token view keeps every token issued before this ended (docs/design.md, "Clients"). */
  @Post(':id/enable')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Enable a client again (EnableClient)',
    description: 'The client may get consents and tokens again. Tokens that ended while it was disabled stay ended. Enabling an active client changes nothing.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found'], [409, 'client_deleted: a delete is never undone'], 422)
  @ApiExtraModels(EnableClientRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(EnableClientRequest) }] } })
  @ApiOkResponse({ type: ClientResponse, description: 'The client, active' })
  enable(@ClientIdParam() clientId: string, @Body() body: EnableClientRequest, @CommandMeta() meta: CommandMetadata) {
    // The reason travels with the metadata, as RevokeConsent's does.
    return this.commands.execute(new EnableClientCommand({ clientId }, { ...meta, reason: body?.reason }));
  }
}
