import { ApiProperty } from '@nestjs/swagger';
import { ClientSecretResponse } from '../client-secret.response';

export class ClientSecretListResponse {
  @ApiProperty({ type: [ClientSecretResponse], description: 'Oldest first; revoked and expired ones included (history is kept)' }) secrets: ClientSecretResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}
