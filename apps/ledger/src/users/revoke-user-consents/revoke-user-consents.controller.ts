import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { USER_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { UserIdParam } from '../user-id.param';
import { RevokeUserConsentsCommand } from './revoke-user-consents.command';
import { RevokeUserConsentsRequest } from './revoke-user-consents.request';
import { RevokeUserConsentsResponse } from './revoke-user-consents.response';

@ApiTags('users')
@Controller('v1/users')
export class RevokeUserConsentsController {
  constructor(private readonly commands: CommandBus) {}

  /** "Sign me out of every app", account deletion: one event, whatever the number of consents and tokens. */
  @Post(':userId/revoke')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: "Revoke every consent of a user (RevokeUserConsents)",
    description:
      'Ends every consent of the user and every token under them, of every client. Takes effect before this answers: every such token introspects inactive on this instance, however many there are. ' +
      'Each consent then shows revoked in the consent reads and its history once the ledger has revoked it on its own (moments later; it needs no further request). ' +
      'Resource services hear one user.consents_revoked. Asking again with no consent granted since changes nothing (consentsEnded 0).',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'userId', schema: { type: 'string', pattern: USER_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_user_id, or invalid_request for the body'], 422)
  @ApiExtraModels(RevokeUserConsentsRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(RevokeUserConsentsRequest) }] } })
  @ApiOkResponse({ type: RevokeUserConsentsResponse })
  revoke(@UserIdParam() userId: string, @Body() body: RevokeUserConsentsRequest, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new RevokeUserConsentsCommand({ userId }, { ...meta, reason: body?.reason }));
  }
}
