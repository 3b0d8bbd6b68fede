import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../http/page.request';

export class ListClientConsentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active', description: 'active: neither revoked nor expired now; all: every consent, each with its status' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status?: 'active' | 'all';
}
