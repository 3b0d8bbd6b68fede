import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { USER_ID_PATTERN } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { ConsentResponse } from '../consent.response';
import { consentFromView } from '../consent.result';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';

export class ListUserConsentsQuery {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status?: 'active' | 'all';
}

export class ConsentListResponse {
  @ApiProperty({ type: [ConsentResponse] }) consents: ConsentResponse[];
}

@ApiTags('consents')
@Controller('v1/users')
export class ListUserConsentsController {
  constructor(
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':userId/consents')
  @RequireRole('commands', 'audit')
  @ApiOperation({ summary: "List a user's consents (ListUserConsents)", description: 'status=active leaves out the revoked and the expired; status=all shows each with its status.' })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'userId', schema: { type: 'string', pattern: USER_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_user_id, or invalid_request for the query'])
  @ApiOkResponse({ type: ConsentListResponse })
  list(@Param('userId') userId: string, @Query() query: ListUserConsentsQuery): ConsentListResponse {
    if (!USER_ID_PATTERN.test(userId)) throw new ProblemError(problem(400, 'invalid_user_id', 'Bad request', 'userId is malformed'));
    const nowMs = this.clock.now();
    const status = query.status ?? 'active';
    const consents = this.views.consentsByUser(userId, status).map((row) => consentFromView(row, nowMs));
    // The view knows revocations; an expiry is compared with now, here.
    return { consents: status === 'active' ? consents.filter((c) => c.status === 'active') : consents };
  }
}
