import type { FastifyRequest } from 'fastify';
import { Authenticator, Caller } from './api-keys';
import { isOAuthPath, unauthorized } from './auth-problems';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook; callerOf() reads it. */
    caller?: Caller;
  }
}

/** Routes anyone may call. RoleGuard's @Public() marks the Nest ones; the OpenAPI pages are Fastify routes. */
const PUBLIC_ROUTES = new Set(['/health/live', '/health/ready', '/health/publisher', '/docs', '/docs-json', '/docs-yaml']);
export const isPublicRoute = (route: string | undefined) => route !== undefined && (PUBLIC_ROUTES.has(route) || route.startsWith('/docs/'));

/**
 * Fastify onRequest hook, the first thing a request meets: establishes the caller from the Authorization header and
 * refuses a request without valid credentials before its body is even read (so a stranger learns nothing from
 * 400/413/415 and costs no parsing). Unknown routes need credentials too: a stranger cannot map the API by 404s.
 * Which role a route needs is RoleGuard's business.
 */
export function authenticationHook(authenticator: Authenticator) {
  return async (request: FastifyRequest) => {
    const route = request.routeOptions.url;
    // By the matched route, not the raw URL: Basic is accepted on the OAuth routes and nowhere else.
    const oauth = isOAuthPath(route ?? '');
    const caller = authenticator.authenticate(request.headers.authorization, { basic: oauth });
    if (caller) request.caller = caller;
    else if (!isPublicRoute(route)) throw unauthorized(oauth);
  };
}
