import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CONSENT_ID_PATTERN, MAX_TOKEN_LIFETIME_S } from '@ledger/domain';
import { ScopeList } from '../../http/validators';

export class IssueTokenRequest {
  @ApiProperty({ example: 'cns_3f0c5b6a9d2e4f1a8b7c6d5e4f3a2b1c_1', pattern: CONSENT_ID_PATTERN.source })
  @IsString()
  @Matches(CONSENT_ID_PATTERN, { message: 'consentId is not a consent id' })
  consentId: string;

  @ScopeList(false, 'Scopes the token carries, within the consent. Absent: every consented scope.')
  scopes?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_TOKEN_LIFETIME_S, default: 3600, nullable: true, description: 'Lifetime in seconds; null: the default.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_LIFETIME_S)
  expiresIn?: number;
}
