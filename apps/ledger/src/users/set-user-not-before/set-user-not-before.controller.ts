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
import { UserResponse } from '../user.response';
import { SetUserNotBeforeCommand } from './set-user-not-before.command';
import { SetUserNotBeforeRequest } from './set-user-not-before.request';

@ApiTags('users')
@Controller('v1/users')
export class SetUserNotBeforeController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':userId/not-before')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: "Set a user's not-before (SetUserNotBefore)",
    description:
      'Every token of the user issued before this command, of every client, is inactive; consents stay, and tokens issued afterwards work. Takes effect before this answers. ' +
      'The applicable cut-off of a token is the latest of its user\'s, its client\'s and the ledger\'s. A time at or before the one in force changes nothing.',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'userId', schema: { type: 'string', pattern: USER_ID_PATTERN.source } })
  @ApiProblems([400, 'not_before_in_future, invalid_user_id, or invalid_request for the body'], 422)
  @ApiExtraModels(SetUserNotBeforeRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(SetUserNotBeforeRequest) }] } })
  @ApiOkResponse({ type: UserResponse })
  set(@UserIdParam() userId: string, @Body() body: SetUserNotBeforeRequest, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new SetUserNotBeforeCommand({ userId, notBefore: body?.notBefore }, { ...meta, reason: body?.reason }));
  }
}
