import type { FastifyRequest } from 'fastify';
import { Authenticator, Caller } from './api-keys';
import { parseBasic } from './basic-credentials';
import { ClientAuthenticator, OAuthClient } from './client-authenticator';
import { isOAuthPath } from '../http/oauth-error';
import { routeOf } from '../http/route-of';
import { problem, ProblemError } from '../http/problem';
import { unauthorized } from './auth-problems';
import { takesClientCredentials } from './oauth-callers';

declare module 'fastify' {
  interface FastifyRequest {
    /** An API key's caller, set by the authentication hook; callerOf() reads it. */
    caller?: Caller;
    /** An OAuth client, set instead on the routes that take client credentials (oauth-callers.ts). */
    oauthClient?: OAuthClient;
  }
}

/** Routes anyone may call. RoleGuard's @Public() marks the Nest ones; the OpenAPI pages are Fastify routes. */
const PUBLIC_ROUTES = new Set(['/health/live', '/health/ready', '/health/publisher', '/docs', '/docs-json', '/docs-yaml']);
export const isPublicRoute = (route: string | undefined) => route !== undefined && (PUBLIC_ROUTES.has(route) || route.startsWith('/docs/') || isWellKnown(route));

/**
 * RFC 8615 well-known paths are for discovery by anyone: a client probing for metadata the ledger does not publish
 * (openid-configuration, say) must learn "not here" (404), not "log in first" (401). Unknown paths elsewhere still
 * need credentials, so the API cannot be mapped by its 404s.
 */
const isWellKnown = (path: string) => path.startsWith('/.well-known/');

/**
 * Fastify onRequest hook, the first thing a request meets: establishes the caller from the Authorization header and
 * refuses a request without valid credentials before its body is even read (so a stranger learns nothing from
 * 400/413/415 and costs no parsing). Unknown routes need credentials too: a stranger cannot map the API by 404s.
 * Which role a route needs is RoleGuard's business (assertRole for the plain Fastify routes).
 *
 * HTTP Basic is read on the OAuth routes only, and there the route decides whose id it names (oauth-callers.ts): an
 * OAuth client's on revocation, an API key's on introspection. A Bearer API key is identified everywhere, so that a
 * valid key where it does not belong gets 403, not 401.
 *
 * One exception: on the OAuth routes, a form request without an Authorization header may carry its credentials in
 * the body (client_secret_post, RFC 6749 section 2.3.1); its body is read, within the body limit, and
 * clientSecretPostHook decides.
 */
export function authenticationHook(keys: Authenticator, clients: ClientAuthenticator) {
  return (request: FastifyRequest): void => {
    const route = routeOf(request);
    // By the matched route, not the raw URL: Basic is accepted on the OAuth routes and nowhere else.
    const oauth = isOAuthPath(route ?? '');
    const authorization = request.headers.authorization;
    if (oauth && authorization === undefined && isForm(request)) return;
    if (takesClientCredentials(route)) {
      const basic = parseBasic(authorization);
      if (basic) {
        request.oauthClient = clients.authenticate(basic.id, basic.secret) ?? refuse(route);
        return;
      }
    }
    const caller = keys.authenticate(authorization, { basic: oauth && !takesClientCredentials(route) });
    if (caller) request.caller = caller;
    else if (!isPublicRoute(route) && !(route === undefined && isWellKnown(request.url))) refuse(route);
  };
}

/**
 * Fastify preValidation hook, once the body is parsed: client_secret_post on the OAuth routes, in the namespace the
 * route reads. Exactly one authentication method per request (RFC 6749 section 2.3): a client_secret in the form
 * next to an Authorization header is invalid_request, as is a repeated client_id or client_secret (section 3.1).
 */
export function clientSecretPostHook(keys: Authenticator, clients: ClientAuthenticator) {
  return (request: FastifyRequest): void => {
    const route = routeOf(request);
    if (!isOAuthPath(route ?? '')) return;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const { client_id: id, client_secret: secret } = form;
    if (Array.isArray(id) || Array.isArray(secret)) throw invalidRequest('client_id and client_secret may each be sent once');
    if (request.headers.authorization !== undefined) {
      if (secret !== undefined) throw invalidRequest('Use one authentication method: the Authorization header or client_secret in the form, not both');
      return;
    }
    if (typeof id !== 'string' || typeof secret !== 'string') refuse(route);
    if (takesClientCredentials(route)) request.oauthClient = clients.authenticate(id, secret) ?? refuse(route);
    else request.caller = keys.authenticateNamed(id, secret) ?? refuse(route);
  };
}

function refuse(route: string | undefined): never {
  throw unauthorized(route);
}

const invalidRequest = (detail: string) => new ProblemError(problem(400, 'invalid_request', 'Bad request', detail));

const isForm = (request: FastifyRequest) =>
  String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
