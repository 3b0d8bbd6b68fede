import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { USER_ID_PATTERN } from '@ledger/domain';
import { ViewStore } from '@ledger/projections';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { consentFromView, ConsentResponse } from '../consent.response';

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
  constructor(private readonly views: ViewStore) {}

  @Get(':userId/consents')
  @RequireRole('commands', 'audit')
  @ApiOkResponse({ type: ConsentListResponse })
  list(@Param('userId') userId: string, @Query() query: ListUserConsentsQuery): ConsentListResponse {
    if (!USER_ID_PATTERN.test(userId)) throw new ProblemError(problem(400, 'invalid_user_id', 'Bad request', 'userId is malformed'));
    return { consents: this.views.consentsByUser(userId, query.status ?? 'active').map(consentFromView) };
  }
}
