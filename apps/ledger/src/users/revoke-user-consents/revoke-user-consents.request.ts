import { ReasonField } from '../../http/validators';

/** Optional body of POST /v1/users/{userId}/revoke: no body, an empty one and JSON null all mean no reason. */
export class RevokeUserConsentsRequest {
  @ReasonField()
  reason?: string;
}
