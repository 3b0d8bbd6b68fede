import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { ClientIdField, ConsentExpiryField, ScopeList, UserIdField } from '../../http/validators';

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

  @ConsentExpiryField(
    'expiresAt',
    'When the consent ends by itself: after now, and within LEDGER_CONSENT_MAX_LIFETIME_SECONDS when set. Not with expiresIn. Granting to an active consent with an expiry renews it to that one, earlier or later; without one, the expiry stays. Absent on a new consent: the maximum when one is set, else never.',
  )
  expiresAt?: string;

  @ConsentExpiryField('expiresIn', "The consent's lifetime in seconds from now (Hydra's remember_for), instead of expiresAt.")
  expiresIn?: number;

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'Tokens issued under the consent come with a refresh token (POST /v1/oauth2/token, grant_type=refresh_token), as Globus shows it. A grant only turns it on; absent or false leaves it as it is. To end refresh, revoke the consent.',
  })
  @IsOptional()
  @IsBoolean()
  allowsRefresh?: boolean;
}
