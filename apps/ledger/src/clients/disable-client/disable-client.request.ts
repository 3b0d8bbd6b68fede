import { ReasonField } from '../../http/validators';

/** Optional body of POST /v1/clients/{id}/disable: no body, an empty one and JSON null all mean no reason. */
export class DisableClientRequest {
  @ReasonField()
  reason?: string;
}
