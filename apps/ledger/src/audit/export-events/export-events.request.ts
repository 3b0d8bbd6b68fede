import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsRFC3339, IsString, Matches, Min } from 'class-validator';
import { CLIENT_ID_PATTERN, CONSENT_ID_PATTERN, USER_ID_PATTERN } from '@ledger/domain';

/** Every filter is optional and they combine with AND. Positions and times are inclusive; times compare with recordedAt. */
export class ExportEventsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromPosition?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  toPosition?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; events recorded at or after.' })
  @IsOptional()
  @IsRFC3339()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; events recorded at or before.' })
  @IsOptional()
  @IsRFC3339()
  to?: string;

  @ApiPropertyOptional({ pattern: USER_ID_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN)
  userId?: string;

  @ApiPropertyOptional({ pattern: CLIENT_ID_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_ID_PATTERN)
  clientId?: string;

  @ApiPropertyOptional({ pattern: CONSENT_ID_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(CONSENT_ID_PATTERN)
  consentId?: string;
}
