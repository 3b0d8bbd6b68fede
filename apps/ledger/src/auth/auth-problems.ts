import { problem, ProblemError } from '../http/problem';

const REALM = 'consent-ledger';

/**
 * 401 and 403 say nothing about why: not whether a caller exists, nor which role a route wants. On the OAuth
 * endpoints they also carry RFC 6749's `error`, which client libraries look for.
 */
export function unauthorized(oauth: boolean): ProblemError {
  return new ProblemError(
    problem(401, 'unauthorized', 'Unauthorized', 'Valid credentials are required', oauth ? { error: 'invalid_client' } : {}),
    { 'www-authenticate': oauth ? `Basic realm="${REALM}", Bearer realm="${REALM}"` : `Bearer realm="${REALM}"` },
  );
}

export function forbidden(): ProblemError {
  return new ProblemError(problem(403, 'forbidden', 'Forbidden', 'These credentials do not allow this request'));
}

/** Routes whose callers authenticate as OAuth clients (RFC 7662, RFC 7009): they also accept HTTP Basic. */
export const isOAuthPath = (route: string) => route.startsWith('/v1/oauth2/');
