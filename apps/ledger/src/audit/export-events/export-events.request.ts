import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsRFC3339, IsString, Matches, Min } from 'class-validator';
import { CLIENT_ID_PATTERN, CONSENT_ID_PATTERN, USER_ID_PATTERN } from '@ledger/domain';

/** Every filter is optional and they combine with AND. Positions and times are inclusive; times compare with recordedAt. */
export class ExportEventsQuery {
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromPosition?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  toPosition?: number;

  @ApiPropertyOptional({ description: 'RFC 3339; events recorded at or after.' })
  @IsOptional()
  @IsRFC3339()
  from?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; events recorded at or before.' })
  @IsOptional()
  @IsRFC3339()
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN)
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(CLIENT_ID_PATTERN)
  clientId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(CONSENT_ID_PATTERN)
  consentId?: string;
}
