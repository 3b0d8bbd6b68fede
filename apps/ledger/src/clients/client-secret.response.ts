import { ApiProperty } from '@nestjs/swagger';
import type { ClientSecretResult } from './client-secret.result';

/** ClientSecretResult as the OpenAPI document describes it. */
export class ClientSecretResponse implements ClientSecretResult {
  @ApiProperty({ example: 'sec_6b1d3f0c2a9e4d7f8b5a1c3e9f0d2b4a', pattern: '^sec_[0-9a-f]{32}$' }) secretId: string;
  @ApiProperty({
    enum: ['active', 'expiring', 'expired', 'revoked'],
    description: 'active: authenticates; expiring: authenticates until validUntil (a rotation superseded it); expired and revoked: no longer.',
  })
  status: 'active' | 'expiring' | 'expired' | 'revoked';
  @ApiProperty({ format: 'date-time' }) addedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a rotation ends it; null until one does.' }) validUntil: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}
