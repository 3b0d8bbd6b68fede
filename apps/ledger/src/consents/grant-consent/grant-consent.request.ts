import { ClientIdField, ScopeList, UserIdField } from '../../http/validators';

export class GrantConsentRequest {
  @UserIdField()
  userId: string;

  @ClientIdField()
  clientId: string;

  @ScopeList(true, 'Scopes the user grants the client. Granting to a user and client with an active consent extends it.')
  scopes: string[];
}
