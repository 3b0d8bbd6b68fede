import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AuditEntry, consentHistory } from '@ledger/audit';
import { ConsentId, notFound } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { RequireRole } from '../../auth/role.guard';
import { ConsentIdParam } from '../../consents/consent-id.param';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CONSENT_ID_PATTERN } from '@ledger/domain';

export class ConsentHistoryResponse {
  @ApiProperty() consentId: string;
  @ApiProperty({ description: "The (user, client) pair's stream; it also holds the pair's other generations, left out here." }) stream: string;
  @ApiProperty({
    description: 'Every event of the consent and of its tokens, in stream order, each with its attribution (actor, initiator, initiatorAsserted, correlationId, clientRequestId, causationId, reason; what each proves: docs/audit.md) and chain link.',
    type: 'array',
    items: { type: 'object' },
  })
  events: AuditEntry[];
}

/** The full story of one consent, straight from its stream (not from the views). */
@ApiTags('audit')
@Controller('v1/audit/consents')
@RequireRole('audit')
@ApiCaller('audit')
export class ConsentHistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':id/history')
  @ApiOperation({ summary: 'The full history of one consent, from its stream' })
  @ApiParam({ name: 'id', description: 'Consent id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CONSENT_ID_PATTERN.source } })
  @ApiProblems([404, 'consent_not_found'])
  @ApiOkResponse({ type: ConsentHistoryResponse })
  async history(@ConsentIdParam() consent: ConsentId): Promise<ConsentHistoryResponse> {
    const events = await consentHistory(this.store, consent.id);
    if (!events) throw notFound('consent_not_found', `Consent ${consent.id} does not exist`);
    return { consentId: consent.id, stream: consent.stream, events };
  }
}
