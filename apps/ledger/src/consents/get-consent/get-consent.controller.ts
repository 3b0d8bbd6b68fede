import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConsentId, notFound } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ConsentIdParam } from '../consent-id.param';
import { ConsentResponse } from '../consent.response';
import { consentFromView } from '../consent.result';

@ApiTags('consents')
@Controller('v1/consents')
export class GetConsentController {
  constructor(@Inject(CONSENT_VIEW) private readonly views: ConsentView) {}

  @Get(':id')
  @RequireRole('commands', 'audit')
  @ApiOkResponse({ type: ConsentResponse })
  get(@ConsentIdParam() consent: ConsentId): ConsentResponse {
    const row = this.views.consent(consent.id);
    if (!row) throw notFound('consent_not_found', `Consent ${consent.id} does not exist`);
    return consentFromView(row);
  }
}
