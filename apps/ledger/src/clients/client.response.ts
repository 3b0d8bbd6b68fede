import { ApiProperty } from '@nestjs/swagger';
import type { ClientResult } from './client.result';

/** ClientResult as the OpenAPI document describes it. */
export class ClientResponse implements ClientResult {
  @ApiProperty({ example: 'transfer-web' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String], nullable: true, description: 'Scopes the client may be granted; null: any well-formed scope.' }) allowedScopes: string[] | null;
  @ApiProperty({ type: String, format: 'uri', nullable: true }) termsUrl: string | null;
  @ApiProperty({
    enum: ['active', 'disabled', 'deleted'],
    description: 'disabled: no token of the client is active and it gets no consent or token until enabled. deleted: disabled for good.',
  })
  status: 'active' | 'disabled' | 'deleted';
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ format: 'date-time', description: 'When the client last changed (its registration, at first).' }) updatedAt: string;
  @ApiProperty({ type: 'integer', description: "Revision of the client's stream after its last change." }) revision: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "The client's not-before, as recorded for people: every token of the client issued before the command that set it is inactive. null: none.",
  })
  notBefore: string | null;
}
