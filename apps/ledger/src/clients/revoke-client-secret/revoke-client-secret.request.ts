import { ReasonField } from '../../http/validators';

/** Optional body of DELETE /v1/clients/{id}/secrets/{secretId}: no body, an empty one and JSON null all mean no reason. */
export class RevokeClientSecretRequest {
  @ReasonField()
  reason?: string;
}
