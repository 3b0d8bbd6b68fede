import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ConsentId, notFound } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { RequireRole } from '../../auth/role.guard';
import { ConsentIdParam } from '../consent-id.param';
import { ConsentResponse } from '../consent.response';
import { consentFromView } from '../consent.result';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CONSENT_ID_PATTERN } from '@ledger/domain';

@ApiTags('consents')
@Controller('v1/consents')
export class GetConsentController {
  constructor(
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id')
  @RequireRole('commands', 'audit')
  @ApiOperation({ summary: 'Get a consent (GetConsent)', description: 'From the views; Ledger-Consistency on a command answer is how to read your own write on another instance.' })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Consent id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CONSENT_ID_PATTERN.source } })
  @ApiProblems([404, 'consent_not_found'])
  @ApiOkResponse({ type: ConsentResponse })
  get(@ConsentIdParam() consent: ConsentId): ConsentResponse {
    const row = this.views.consent(consent.id);
    if (!row) throw notFound('consent_not_found', `Consent ${consent.id} does not exist`);
    return consentFromView(row, this.clock.now());
  }
}
