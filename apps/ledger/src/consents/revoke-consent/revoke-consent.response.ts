import { ApiProperty } from '@nestjs/swagger';
import { ConsentResponse } from '../consent.response';
import type { RevokeConsentResult } from './revoke-consent.command';

export class RevokeConsentResponse extends ConsentResponse implements RevokeConsentResult {
  @ApiProperty({ type: 'integer', description: 'How many live tokens this revocation ended.' }) tokensEnded: number;
}
