import { ApiProperty } from '@nestjs/swagger';
import { ReasonField, ScopeList } from '../../http/validators';
import { ConsentResponse } from '../consent.response';

export class RevokeConsentRequest {
  @ScopeList(false, 'Scopes to revoke. Absent: the whole consent.')
  scopes?: string[];

  @ReasonField()
  reason?: string;
}

export class RevokeConsentResponse extends ConsentResponse {
  @ApiProperty({ description: 'How many live tokens this revocation ended.' }) tokensEnded: number;
}
