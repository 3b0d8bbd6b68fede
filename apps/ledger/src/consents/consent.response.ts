import { ApiProperty } from '@nestjs/swagger';
import type { ConsentResult } from './consent.result';

/** ConsentResult as the OpenAPI document describes it. */
export class ConsentResponse implements ConsentResult {
  @ApiProperty({ example: 'cns_3f0c5b6a9d2e4f1a8b7c6d5e4f3a2b1c_1' }) id: string;
  @ApiProperty() userId: string;
  @ApiProperty() clientId: string;
  @ApiProperty({ type: [String], description: 'Granted scopes; for a revoked consent, those it held when revoked.' }) scopes: string[];
  @ApiProperty({ enum: ['active', 'revoked', 'expired'], description: 'expired: past expiresAt (computed when read); its tokens are all inactive.' })
  status: 'active' | 'revoked' | 'expired';
  @ApiProperty({ format: 'date-time' }) grantedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the consent was revoked; null while it is active.' }) revokedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the consent ends by itself; null: never.' }) expiresAt: string | null;
  @ApiProperty({ type: 'integer', description: "Revision of the consent's stream after its last change." }) revision: number;
}
