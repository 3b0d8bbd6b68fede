import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { notFound } from '@ledger/domain';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/role.guard';
import { REVOCATION_PATH, TOKEN_PATH } from '../auth/oauth-callers';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { INTROSPECTION_PATH } from '../tokens/introspect-token/introspect-token.route';
import { GRANT_TYPES } from '../tokens/grant-types';

export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * How the OAuth endpoints authenticate a client (RFC 6749 section 2.3.1): an id and a secret in HTTP Basic or in the
 * form. The same two methods at both endpoints, but not the same principals (auth/oauth-callers.ts): at revocation an
 * OAuth client's id and one of its secrets; at introspection an API key's name and secret (a bearer API key works
 * there too, but is no RFC 8414 client authentication method, so it is not listed).
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * RFC 8414 authorization server metadata, public: where the ledger's OAuth endpoints are and how a client
 * authenticates at each. The ledger owns introspection, revocation and the token endpoint's refresh token grant; the
 * auth front end owns the authorization endpoint, and its settings fill those members (docs/design.md, "Discovery").
 * A front end that publishes its own token endpoint (LEDGER_TOKEN_ENDPOINT) passes refresh_token grants on.
 */
@ApiTags('discovery')
@Controller()
@Public()
export class AuthorizationServerMetadataController {
  private readonly metadata: Record<string, unknown>;
  /** The issuer's path ('' for none): RFC 8414 section 3 puts it after the well-known path. */
  private readonly issuerPath: string;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    const { issuer, frontEnd } = config;
    this.issuerPath = new URL(issuer).pathname.replace(/^\/$/, '');
    this.metadata = {
      issuer,
      ...(frontEnd.authorizationEndpoint ? { authorization_endpoint: frontEnd.authorizationEndpoint } : {}),
      // The ledger's own token endpoint (refresh tokens) unless the front end publishes one in front of it.
      token_endpoint: frontEnd.tokenEndpoint ?? `${issuer}${TOKEN_PATH}`,
      token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      grant_types_supported: frontEnd.tokenEndpoint ? ['authorization_code', ...GRANT_TYPES] : [...GRANT_TYPES],
      response_types_supported: frontEnd.responseTypes,
      introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      service_documentation: `${issuer}/docs`,
    };
  }

  @Get(METADATA_PATH.slice(1))
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'OAuth authorization server metadata (RFC 8414)', description: 'Public. The issuer, the introspection and revocation endpoints and how clients authenticate at each.' })
  @ApiOkResponse({ description: 'RFC 8414 section 2 metadata' })
  get(): Record<string, unknown> {
    return this.forIssuerPath('');
  }

  /** RFC 8414 section 3: an issuer with a path has its metadata at the well-known path followed by the issuer's. */
  @Get(`${METADATA_PATH.slice(1)}/*`)
  @Header('cache-control', 'public, max-age=3600')
  @ApiExcludeEndpoint()
  getForPath(@Param('*') path: string): Record<string, unknown> {
    return this.forIssuerPath(`/${path}`);
  }

  private forIssuerPath(path: string): Record<string, unknown> {
    // Only the issuer's own path: another issuer's metadata is not ours to answer.
    if (path !== this.issuerPath) throw notFound('not_found', 'No such metadata');
    return this.metadata;
  }
}
