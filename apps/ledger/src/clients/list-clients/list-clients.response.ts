import { ApiProperty } from '@nestjs/swagger';
import { ClientResponse } from '../client.response';

export class ClientListResponse {
  @ApiProperty({ type: [ClientResponse], description: 'In client id order' }) clients: ClientResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}
