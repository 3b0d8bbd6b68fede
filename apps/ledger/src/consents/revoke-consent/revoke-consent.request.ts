import { ReasonField, ScopeList } from '../../http/validators';

export class RevokeConsentRequest {
  @ScopeList(false, 'Scopes to revoke. Absent: the whole consent.')
  scopes?: string[];

  @ReasonField()
  reason?: string;
}
