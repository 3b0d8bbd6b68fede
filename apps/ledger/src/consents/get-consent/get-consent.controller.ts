import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DEPENDENT_CONSENT_ID_PATTERN, notFound, parseConsentId } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { RequireRole } from '../../auth/role.guard';
import { ConsentResponse } from '../consent.response';
import { consentFromView, dependentConsentFromView } from '../consent.result';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CONSENT_ID_PATTERN } from '@ledger/domain';

/** A root consent id, or a dependent one (the root's with a suffix: dependent-consents.ts). */
const ANY_CONSENT_ID = `^${CONSENT_ID_PATTERN.source.slice(1, -1)}(?:_[0-9a-f]{16})?$`;

@ApiTags('consents')
@Controller('v1/consents')
export class GetConsentController {
  constructor(
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: 'Get a consent (GetConsent)',
    description:
      'From the views; Ledger-Consistency on a command answer is how to read your own write on another instance. A root consent shows its ' +
      'dependent consents (dependents); a dependent consent id (a root id with a suffix) answers the dependent consent, with its dependencyPath.',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'id', description: 'Consent id, or dependent consent id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: ANY_CONSENT_ID } })
  @ApiProblems([404, 'consent_not_found'])
  @ApiOkResponse({ type: ConsentResponse })
  get(@Param('id') id: string): ConsentResponse {
    const missing = () => notFound('consent_not_found', `Consent ${id.slice(0, 100)} does not exist`);
    const dependent = DEPENDENT_CONSENT_ID_PATTERN.test(id) ? this.views.dependentConsent(id) : undefined;
    if (dependent) {
      const root = this.views.consent(dependent.rootConsentId);
      if (!root) throw missing();
      return dependentConsentFromView(dependent, root, this.clock.now());
    }
    const row = parseConsentId(id) && this.views.consent(id);
    if (!row) throw missing();
    return consentFromView(row, this.clock.now(), this.views.dependentsOf(row.consentId));
  }
}
