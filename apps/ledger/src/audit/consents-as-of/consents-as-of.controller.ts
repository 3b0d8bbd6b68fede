import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { consentsAsOf } from '@ledger/audit';
import { parseConsentId, USER_ID_PATTERN } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { ConsentResponse } from '../../consents/consent.response';
import { consentFromView } from '../../consents/consent.result';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { ConsentsAsOfQuery } from './consents-as-of.request';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';

export class ConsentsAsOfResponse {
  @ApiProperty() userId: string;
  @ApiProperty({ description: 'The instant asked for, normalised to UTC.' }) asOf: string;
  @ApiProperty({ description: 'Global position of the last event of these consents recorded at or before asOf; -1 when none.' })
  position: number;
  @ApiProperty({ type: [ConsentResponse], description: 'Same shape and order as GET /v1/users/{userId}/consents?status=all, in one answer (that list pages); a consent past its expiry at asOf is expired.' })
  consents: ConsentResponse[];
}

/**
 * The user's consents as the ledger stood at a past instant, replayed from their streams with the live views' own
 * pure mapping. The views serve only as an index of which streams are the user's: a consent is never deleted, so
 * every consent that existed at asOf is still listed there.
 */
/** A user id, or an erased subject's pseudonym (libs/domain erasedUserId: `~erased:` and a 128-bit kid in hex). */
const AS_OF_SUBJECT = new RegExp(`^(?:${USER_ID_PATTERN.source.slice(1, -1)}|~erased:[0-9a-f]{32})$`);

@ApiTags('audit')
@Controller('v1/audit/users')
@RequireRole('audit')
@ApiCaller('audit')
export class ConsentsAsOfController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
  ) {}

  @Get(':userId/consents')
  @ApiOperation({ summary: "A user's consents as they stood at an instant" })
  @ApiParam({
    name: 'userId',
    description: 'A user id, or the pseudonym an erasure answered (`~erased:<kid>`): an erased subject\'s consents are found by it (docs/privacy.md).',
    schema: { type: 'string', pattern: AS_OF_SUBJECT.source },
  })
  @ApiProblems([400, 'invalid_user_id, invalid_as_of or invalid_request'])
  @ApiOkResponse({ type: ConsentsAsOfResponse })
  async asOf(@Param('userId') userId: string, @Query() query: ConsentsAsOfQuery): Promise<ConsentsAsOfResponse> {
    if (!AS_OF_SUBJECT.test(userId)) throw new ProblemError(problem(400, 'invalid_user_id', 'Bad request', 'userId is malformed'));
    const at = query.asOf === undefined ? new Date() : new Date(query.asOf);
    if (Number.isNaN(at.getTime())) throw new ProblemError(problem(400, 'invalid_as_of', 'Bad request', 'asOf must be an RFC 3339 instant'));
    const streams = [...new Set(this.views.consentsByUser(userId, 'all').map((c) => parseConsentId(c.consentId)!.stream))];
    const { consents, position, dependents } = await consentsAsOf(this.store, userId, at, streams);
    // Each root with its tree as it stood (dependent consents live on their root's stream).
    const treeOf = (id: string) => dependents.filter((d) => d.rootConsentId === id);
    return { userId, asOf: at.toISOString(), position, consents: consents.map((c) => consentFromView(c, at.getTime(), treeOf(c.consentId))) };
  }
}
