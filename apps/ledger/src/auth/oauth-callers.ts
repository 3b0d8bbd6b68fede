/**
 * Who may call each OAuth endpoint, and which namespace the id of client_secret_basic and client_secret_post names
 * there (docs/design.md, "Trust boundary"):
 *
 * - The token endpoint (/v1/oauth2/token, RFC 6749 section 6) serves OAuth clients only, each refreshing its own
 *   refresh tokens: the id is a client id, as at revocation.
 * - RFC 7009 revocation (/v1/oauth2/revoke) serves OAuth clients only, each for its own tokens: the id is a client id,
 *   checked against the client's secrets. API keys of any role are refused (403): staff revoke by token id.
 * - RFC 7662 introspection (/v1/oauth2/introspect) serves resource services: API keys of role introspect (or admin),
 *   as Bearer or with the key's name as the id. OAuth clients may not introspect: an answer names the user and the
 *   scopes of a token, and a client has no business reading another client's.
 *
 * No endpoint reads both namespaces, so a name that is both an API key's and a client's is never ambiguous: the
 * endpoint decides which one it is.
 */
export const REVOCATION_PATH = '/v1/oauth2/revoke';

/** RFC 6749 token endpoint (the refresh token grant): OAuth clients only, like revocation. */
export const TOKEN_PATH = '/v1/oauth2/token';

/** The routes where client credentials name an OAuth client rather than an API key. */
export const takesClientCredentials = (route: string | undefined) => route === REVOCATION_PATH || route === TOKEN_PATH;
