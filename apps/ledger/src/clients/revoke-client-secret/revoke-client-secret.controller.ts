import { Body, Controller, Delete, HttpCode } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, CLIENT_SECRET_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { ClientSecretIdParam } from '../client-secret-id.param';
import { ClientSecretResponse } from '../client-secret.response';
import { ClientIdParam } from '../client-id.param';
import { RevokeClientSecretCommand } from './revoke-client-secret.command';
import { RevokeClientSecretRequest } from './revoke-client-secret.request';

@ApiTags('clients')
@Controller('v1/clients')
export class RevokeClientSecretController {
  constructor(private readonly commands: CommandBus) {}

  @Delete(':id/secrets/:secretId')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Revoke a client secret (RevokeClientSecret)',
    description:
      'The secret stops authenticating before this answers, on this instance (in its overlap window too). Revoking a secret that no longer authenticates changes nothing. The client and its tokens stay as they are; disable the client to end its tokens.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiParam({ name: 'secretId', description: 'Secret id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_SECRET_ID_PATTERN.source } })
  @ApiProblems([404, 'client_not_found, client_secret_not_found'], [409, 'client_deleted'], 422)
  @ApiExtraModels(RevokeClientSecretRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(RevokeClientSecretRequest) }] } })
  @ApiOkResponse({ type: ClientSecretResponse, description: 'The secret, revoked (or expired, if it had ended before)' })
  revoke(@ClientIdParam() clientId: string, @ClientSecretIdParam() secretId: string, @Body() body: RevokeClientSecretRequest, @CommandMeta() meta: CommandMetadata) {
    // The reason travels with the metadata, as RevokeConsent's does.
    return this.commands.execute(new RevokeClientSecretCommand({ clientId, secretId }, { ...meta, reason: body?.reason }));
  }
}
