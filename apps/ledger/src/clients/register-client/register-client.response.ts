import { ApiProperty } from '@nestjs/swagger';
import type { ClientResult } from './register-client.command';

export class ClientResponse implements ClientResult {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String], nullable: true }) allowedScopes: string[] | null;
  @ApiProperty({ type: String, format: 'uri', nullable: true }) termsUrl: string | null;
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
}
