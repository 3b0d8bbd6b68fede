import { ReasonField } from '../../http/validators';

/** Optional body of the EnableClient route: no body, an empty one and JSON null all mean no reason. */
export class EnableClientRequest {
  @ReasonField()
  reason?: string;
}
