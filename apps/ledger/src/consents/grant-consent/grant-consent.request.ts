import { ClientIdField, ScopeList, UserIdField } from '../../http/validators';

export class GrantConsentRequest {
  @UserIdField()
  userId: string;

  @ClientIdField()
  clientId: string;

  @ScopeList(
    true,
    'Scopes the user grants the client, each a scope-token (RFC 6749 section 3.3) that may carry its dependencies in brackets, `*` marking optional ones: `transfer[*collection/data_access]`. The consent holds the scope-tokens; the dependencies are recorded with the grant. Granting to a user and client with an active consent extends it.',
    { dependencies: true },
  )
  scopes: string[];
}
