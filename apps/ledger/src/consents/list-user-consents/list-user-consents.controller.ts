import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { USER_ID_PATTERN } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { PageQuery } from '../../http/page.request';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { CLOCK, Clock } from '../../infrastructure/clock';
import { CursorSigner } from '../../infrastructure/cursor-signer';
import { ConsentResponse } from '../consent.response';
import { consentFromView } from '../consent.result';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';

export class ListUserConsentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active', description: 'active: neither revoked nor expired now; all: every consent, each with its status' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status?: 'active' | 'all';
}

export class ConsentListResponse {
  @ApiProperty({ type: [ConsentResponse], description: 'In grant order (grantedAt, then id)' }) consents: ConsentResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}

/** The cursor's position: the last consent shown, by its grant time and id (an id holds no space). */
const CURSOR_POSITION = /^(\S{1,64}) (cns_[0-9a-f]{32}_\d{1,9})$/;

@ApiTags('consents')
@Controller('v1/users')
export class ListUserConsentsController {
  constructor(
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cursors: CursorSigner,
  ) {}

  /**
   * Keyset pagination in grant order, (grantedAt, consentId) after the last one shown: a page never repeats or skips
   * a consent granted before the first page was read. The cursor is signed for this user and status.
   */
  @Get(':userId/consents')
  @RequireRole('commands', 'audit')
  @ApiOperation({
    summary: "List a user's consents (ListUserConsents)",
    description: 'In grant order, a page at a time: pass nextCursor as cursor. status=active leaves out the revoked and the expired; status=all shows each with its status.',
  })
  @ApiCaller('commands', 'audit')
  @ApiParam({ name: 'userId', schema: { type: 'string', pattern: USER_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_user_id, invalid_request for the query, or invalid_cursor: a cursor this service did not give'])
  @ApiOkResponse({ type: ConsentListResponse })
  list(@Param('userId') userId: string, @Query() query: ListUserConsentsQuery): ConsentListResponse {
    if (!USER_ID_PATTERN.test(userId)) throw new ProblemError(problem(400, 'invalid_user_id', 'Bad request', 'userId is malformed'));
    const limit = query.limit ?? 20;
    const status = query.status ?? 'active';
    const list = `user-consents:${status}:${userId}`;
    let after: { grantedAt: string; consentId: string } | undefined;
    if (query.cursor !== undefined) {
      const m = CURSOR_POSITION.exec(this.cursors.verify(list, query.cursor) ?? '');
      if (!m) throw new ProblemError(problem(400, 'invalid_cursor', 'Bad request', 'cursor is not one this service gave for this list'));
      after = { grantedAt: m[1], consentId: m[2] };
    }
    const nowMs = this.clock.now();
    // One more than a page: whether there is a next page is known without a second query.
    const rows = this.views.consentsOfUser(userId, { after, limit: limit + 1, ...(status === 'active' ? { activeAt: new Date(nowMs) } : {}) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      consents: page.map((row) => consentFromView(row, nowMs)),
      nextCursor: rows.length > limit ? this.cursors.sign(list, `${last.grantedAt} ${last.consentId}`) : null,
    };
  }
}
