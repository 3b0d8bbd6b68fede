import { problem, ProblemError } from '../http/problem';
import { Caller, hasRole, Role } from './api-keys';

const REALM = 'consent-ledger';

/**
 * 401 and 403 say nothing about why: not whether a caller exists, nor which role a route wants. The OAuth endpoints
 * also take HTTP Basic, and say so (RFC 6749 section 5.2: invalid_client with WWW-Authenticate).
 */
export function unauthorized(oauth: boolean): ProblemError {
  return new ProblemError(problem(401, 'unauthorized', 'Unauthorized', 'Valid credentials are required'), {
    'www-authenticate': oauth ? `Basic realm="${REALM}", Bearer realm="${REALM}"` : `Bearer realm="${REALM}"`,
  });
}

export function forbidden(): ProblemError {
  return new ProblemError(problem(403, 'forbidden', 'Forbidden', 'These credentials do not allow this request'));
}

/** The one role rule, for RoleGuard's Nest routes and for the plain Fastify routes alike. */
export function assertRole(caller: Caller | undefined, allowed: readonly Role[], oauth: boolean): asserts caller is Caller {
  if (!caller) throw unauthorized(oauth);
  if (!hasRole(caller, allowed)) throw forbidden();
}
