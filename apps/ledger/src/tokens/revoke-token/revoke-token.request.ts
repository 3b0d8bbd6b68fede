import { ReasonField } from '../../http/validators';

/** Optional body of POST /v1/tokens/{tokenId}/revoke. (RFC 7009 revocation has no place for a reason.) */
export class RevokeTokenRequest {
  @ReasonField()
  reason?: string;
}
