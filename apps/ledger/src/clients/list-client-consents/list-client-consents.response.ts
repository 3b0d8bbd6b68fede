import { ApiProperty } from '@nestjs/swagger';
import { ConsentResponse } from '../../consents/consent.response';

export class ClientConsentListResponse {
  @ApiProperty({ type: [ConsentResponse], description: 'In grant order (the log position of each grant)' }) consents: ConsentResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}
