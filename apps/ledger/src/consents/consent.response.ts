import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ConsentResult, DependentConsentResult } from './consent.result';

/** DependentConsentResult as the OpenAPI document describes it. */
export class DependentConsentResponse implements DependentConsentResult {
  @ApiProperty({ example: 'cns_3f0c5b6a9d2e4f1a8b7c6d5e4f3a2b1c_1_0123456789abcdef' }) id: string;
  @ApiProperty({ description: 'The owner of the parent scope: the client that acts on this scope for the user.' }) clientId: string;
  @ApiProperty() scope: string;
  @ApiProperty({ enum: ['active', 'revoked', 'expired'] }) status: 'active' | 'revoked' | 'expired';
  @ApiProperty({ format: 'date-time' }) grantedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: [String], description: 'The consent ids from the root down to this one.' }) dependencyPath: string[];
}

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
  @ApiProperty({ description: 'Tokens issued under the consent come with a refresh token (the grant said allowsRefresh; a later grant may turn it on, none turns it off). Always false for a dependent consent.' })
  allowsRefresh: boolean;
  @ApiProperty({ type: [String], description: "The consent ids from the root down to this one (Globus's dependency_path); [id] for a consent granted directly." })
  dependencyPath: string[];
  @ApiPropertyOptional({ type: [DependentConsentResponse], description: 'A root consent read on its own, or as a grant answers it: its dependent consents at any depth; absent when none.' })
  dependents?: DependentConsentResponse[];
  @ApiPropertyOptional({ description: "A dependent consent's root." }) rootConsentId?: string;
}
