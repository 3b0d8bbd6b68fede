import { ReasonField } from '../../http/validators';

/** Optional body of the DeleteClient route: no body, an empty one and JSON null all mean no reason. */
export class DeleteClientRequest {
  @ReasonField()
  reason?: string;
}
