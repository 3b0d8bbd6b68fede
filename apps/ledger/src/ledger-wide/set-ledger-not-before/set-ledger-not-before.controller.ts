import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { SetLedgerNotBeforeCommand } from './set-ledger-not-before.command';
import { SetLedgerNotBeforeRequest } from './set-ledger-not-before.request';
import { LedgerNotBeforeResponse } from './set-ledger-not-before.response';

@ApiTags('ledger')
@Controller('v1/not-before')
export class SetLedgerNotBeforeController {
  constructor(private readonly commands: CommandBus) {}

  /** Ends every token of the ledger at once: admin only, as an incident response is. */
  @Post()
  @HttpCode(200)
  @RequireRole()
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Set the ledger-wide not-before (SetLedgerNotBefore)',
    description:
      'Every token issued before this command, of every user and client, is inactive; consents and clients stay, and tokens issued afterwards work. Takes effect before this answers. ' +
      "The applicable cut-off of a token is the latest of its user's, its client's and the ledger's. A time at or before the one in force changes nothing.",
  })
  @ApiCaller()
  @ApiInitiator()
  @ApiProblems([400, 'not_before_in_future, or invalid_request for the body'], 422)
  @ApiExtraModels(SetLedgerNotBeforeRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(SetLedgerNotBeforeRequest) }] } })
  @ApiOkResponse({ type: LedgerNotBeforeResponse })
  set(@Body() body: SetLedgerNotBeforeRequest, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new SetLedgerNotBeforeCommand({ notBefore: body?.notBefore }, { ...meta, reason: body?.reason }));
  }
}
