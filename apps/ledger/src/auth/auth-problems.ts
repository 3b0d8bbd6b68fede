import { isOAuthPath } from '../http/oauth-error';
import { problem, ProblemError } from '../http/problem';
import { Caller, hasRole, Role } from './api-keys';
import type { OAuthClient } from './client-authenticator';
import { takesClientCredentials, TOKEN_PATH } from './oauth-callers';

const REALM = 'consent-ledger';

/**
 * 401 and 403 say nothing about why: not whether a caller exists, nor which role a route wants. WWW-Authenticate
 * names the schemes the route (matched, or undefined) takes: Bearer API keys everywhere but revocation; HTTP Basic on
 * the OAuth endpoints (RFC 6749 section 5.2: invalid_client with WWW-Authenticate), and only Basic on revocation,
 * which serves OAuth clients alone.
 */
export function unauthorized(route: string | undefined): ProblemError {
  const basic = `Basic realm="${REALM}"`;
  const bearer = `Bearer realm="${REALM}"`;
  const challenge = takesClientCredentials(route) ? basic : isOAuthPath(route ?? '') ? `${basic}, ${bearer}` : bearer;
  return new ProblemError(problem(401, 'unauthorized', 'Unauthorized', 'Valid credentials are required'), { 'www-authenticate': challenge });
}

export function forbidden(): ProblemError {
  return new ProblemError(problem(403, 'forbidden', 'Forbidden', 'These credentials do not allow this request'));
}

/**
 * A route for OAuth clients (RFC 7009 revocation): an API key, however valid, gets 403 and is told where to go
 * instead, since the key holder did nothing wrong but use an endpoint its key no longer serves.
 */
export function assertOAuthClient(client: OAuthClient | undefined, caller: Caller | undefined, route: string | undefined): asserts client is OAuthClient {
  if (client) return;
  if (!caller) throw unauthorized(route);
  throw new ProblemError(
    problem(
      403,
      'forbidden',
      'Forbidden',
      route === TOKEN_PATH
        ? 'API keys do not refresh here: an OAuth client refreshes its own tokens with its client credentials'
        : "API keys do not revoke here: an OAuth client revokes its own tokens with its client credentials; staff revoke by token id (POST /v1/tokens/{tokenId}/revoke, role commands)",
    ),
  );
}

/** The one role rule, for RoleGuard's Nest routes and for the plain Fastify routes alike. */
export function assertRole(caller: Caller | undefined, allowed: readonly Role[], route: string | undefined): asserts caller is Caller {
  if (!caller) throw unauthorized(route);
  if (!hasRole(caller, allowed)) throw forbidden();
}
