import { Body, Controller, HttpCode, Post } from '@nestjs/common';
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
import { SetClientNotBeforeCommand } from './set-client-not-before.command';
import { SetClientNotBeforeRequest } from './set-client-not-before.request';

@ApiTags('clients')
@Controller('v1/clients')
export class SetClientNotBeforeController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/not-before')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: "Set a client's not-before (SetClientNotBefore)",
    description:
      'Every token of the client issued before this command, of every user, is inactive; the client stays active, and tokens issued afterwards work. Takes effect before this answers. ' +
      "The applicable cut-off of a token is the latest of its user's, its client's and the ledger's. A time at or before the one in force changes nothing.",
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([400, 'not_before_in_future, or invalid_request for the body'], [404, 'client_not_found'], [409, 'client_deleted'], 422)
  @ApiExtraModels(SetClientNotBeforeRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(SetClientNotBeforeRequest) }] } })
  @ApiOkResponse({ type: ClientResponse })
  set(@ClientIdParam() clientId: string, @Body() body: SetClientNotBeforeRequest, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new SetClientNotBeforeCommand({ clientId, notBefore: body?.notBefore }, { ...meta, reason: body?.reason }));
  }
}
