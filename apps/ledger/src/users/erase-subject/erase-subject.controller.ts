import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { USER_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { CommandMeta } from '../../http/request-context';
import { UserIdParam } from '../user-id.param';
import { EraseSubjectCommand } from './erase-subject.command';
import { ErasureResponse } from './erase-subject.response';

/** No Idempotency-Key: the command is idempotent by itself, and a stored answer is what an erasure must not keep. */
@ApiTags('users')
@Controller('v1/users')
export class EraseSubjectController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':userId/erase')
  @HttpCode(200)
  // Irreversible, and asked for by a data protection officer rather than by a front end: admin only.
  @RequireRole('admin')
  @ConsistencyToken()
  @ApiOperation({
    summary: "Erase a user's personal data (EraseSubject)",
    description:
      "Destroys the subject's key (crypto-shredding, docs/privacy.md): the user id, reasons and request ids stored sealed under it can no longer be read, by anyone. " +
      'The consent facts stay (client, scopes, times), under a pseudonym; every token of the user issued before is inactive; the chain still verifies. ' +
      'Repeating it answers the same and appends nothing. The user\'s consents must be revoked first (POST /v1/users/{userId}/revoke).',
  })
  @ApiCaller()
  @ApiInitiator()
  @ApiParam({ name: 'userId', schema: { type: 'string', pattern: USER_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_user_id'], [404, 'subject_unknown: the ledger holds no personal data of this user'], [409, 'subject_has_active_consents: revoke them first'])
  @ApiOkResponse({ type: ErasureResponse })
  erase(@UserIdParam() userId: string, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new EraseSubjectCommand(userId, meta));
  }
}
