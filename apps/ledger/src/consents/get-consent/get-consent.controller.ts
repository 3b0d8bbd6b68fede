import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { notFound } from '@ledger/domain';
import { ViewStore } from '@ledger/projections';
import { RequireRole } from '../../auth/role.guard';
import { ConsentIdParam } from '../consent-id.param';
import { consentFromView, ConsentResponse } from '../consent.response';

@ApiTags('consents')
@Controller('v1/consents')
export class GetConsentController {
  constructor(private readonly views: ViewStore) {}

  @Get(':id')
  @RequireRole('commands', 'audit')
  @ApiOkResponse({ type: ConsentResponse })
  get(@ConsentIdParam() consentId: string): ConsentResponse {
    const row = this.views.consent(consentId);
    if (!row) throw notFound('consent_not_found', `Consent ${consentId} does not exist`);
    return consentFromView(row);
  }
}
