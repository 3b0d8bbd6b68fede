import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CommandMetadata, ConsentId } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { RequireRole } from '../../auth/role.guard';
import { ConsentIdParam } from '../consent-id.param';
import { RevokeConsentCommand } from './revoke-consent.command';
import { RevokeConsentRequest } from './revoke-consent.request';
import { RevokeConsentResponse } from './revoke-consent.response';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { CONSENT_ID_PATTERN } from '@ledger/domain';

@ApiTags('consents')
@Controller('v1/consents')
export class RevokeConsentController {
  constructor(private readonly commands: CommandBus) {}

  /** Revocation takes effect before this answers: this instance's introspection already says inactive. */
  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({ summary: 'Revoke consent, or some of its scopes (RevokeConsent)', description: 'Ends the tokens that carry a revoked scope. Takes effect before this answers.' })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Consent id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CONSENT_ID_PATTERN.source } })
  @ApiProblems([404, 'consent_not_found'], 422)
  @ApiOkResponse({ type: RevokeConsentResponse })
  revoke(@ConsentIdParam() consent: ConsentId, @Body() body: RevokeConsentRequest, @CommandMeta() meta: CommandMetadata) {
    return this.commands.execute(new RevokeConsentCommand({ consent, scopes: body.scopes }, { ...meta, reason: body.reason }));
  }
}
