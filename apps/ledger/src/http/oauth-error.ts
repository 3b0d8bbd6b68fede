import type { Problem } from './problem';

/** The OAuth endpoints (RFC 7662 introspection, RFC 7009 revocation): their errors are OAuth's, not problem+json. */
export const isOAuthPath = (path: string) => path.startsWith('/v1/oauth2/');

/** RFC 6749 section 5.2, RFC 7009 section 2.2.1, RFC 8693 section 2.2.2 and the two 5xx codes of RFC 6749 section 4.1.2.1. */
type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_token_type'
  | 'invalid_target'
  | 'server_error'
  | 'temporarily_unavailable';

/** Problem codes that are OAuth error codes of their own (RFC 6749 section 5.2, RFC 7009 section 2.2.1): kept as they are. */
const OWN_OAUTH_CODES: ReadonlySet<string> = new Set(['invalid_grant', 'invalid_scope', 'unsupported_grant_type', 'unsupported_token_type', 'invalid_target']);

export interface OAuthError {
  error: OAuthErrorCode;
  error_description: string;
}

export const OAUTH_ERROR_CONTENT_TYPE = 'application/json';

/**
 * The OAuth error for a problem: the status stays, the code is mapped. OAuth client libraries branch on `error` and
 * know only these values; the problem's own code is in docs/errors.md, with the OAuth error each one becomes.
 */
export function oauthErrorCode(problem: Pick<Problem, 'status' | 'code'>): OAuthErrorCode {
  if (OWN_OAUTH_CODES.has(problem.code)) return problem.code as OAuthErrorCode;
  if (problem.status === 401) return 'invalid_client';
  // Authenticated, but this caller's role may not use the endpoint.
  if (problem.status === 403) return 'unauthorized_client';
  if (problem.status === 503) return 'temporarily_unavailable';
  if (problem.status >= 500) return 'server_error';
  return 'invalid_request';
}

export function toOAuthError(problem: Problem): OAuthError {
  // RFC 6749 section 5.2: error_description is printable ASCII without '"' and '\'.
  const description = (problem.detail ?? problem.title).replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return { error: oauthErrorCode(problem), error_description: description };
}
