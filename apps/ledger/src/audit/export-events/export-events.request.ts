import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN, CONSENT_ID_PATTERN, USER_ID_PATTERN } from '@ledger/domain';
import { InstantField, PositionField } from '../../http/validators';

/** Every filter is optional and they combine with AND. Positions and times are inclusive; times compare with recordedAt. */
export class ExportEventsQuery {
  @PositionField()
  fromPosition?: number;

  @PositionField()
  toPosition?: number;

  @InstantField('RFC 3339; events recorded at or after.')
  from?: string;

  @InstantField('RFC 3339; events recorded at or before.')
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
