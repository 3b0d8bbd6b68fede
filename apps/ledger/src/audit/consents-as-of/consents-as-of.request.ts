import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsRFC3339 } from 'class-validator';

export class ConsentsAsOfQuery {
  @ApiPropertyOptional({ format: 'date-time', example: '2026-01-31T23:59:59Z', description: 'RFC 3339 instant; default: now. Compared with recordedAt.' })
  @IsOptional()
  @IsRFC3339()
  asOf?: string;
}
