import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { IssueTokenResult } from './issue-token.command';

/** RFC 6749 section 5.1 shape. The raw token appears here once and nowhere else. */
export class IssueTokenResponse implements IssueTokenResult {
  @ApiProperty({ description: 'Opaque bearer token. Shown once; only its SHA-256 hash is stored.' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds' }) expires_in: number;
  @ApiProperty({ description: 'Space-delimited scopes' }) scope: string;
  @ApiProperty() token_id: string;
  @ApiPropertyOptional({ description: 'Where the consent allows refresh (allowsRefresh): a refresh token for POST /v1/oauth2/token. Shown once; only its hash is stored.' })
  refresh_token?: string;
}
