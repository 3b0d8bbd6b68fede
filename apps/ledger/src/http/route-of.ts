import type { FastifyRequest } from 'fastify';

const ROUTE = Symbol('route');
type WithRoute = FastifyRequest & { [ROUTE]?: string | null };

/**
 * The matched route pattern of a request (undefined when none matched). Fastify's `request.routeOptions` is a getter
 * that builds an eleven-field object on every read; the hooks ask for the route four times a request (authentication,
 * 405, client_secret_post, the access log and metrics), so it is read once and kept on the request.
 */
export function routeOf(request: FastifyRequest): string | undefined {
  const held = request as WithRoute;
  if (held[ROUTE] === undefined) held[ROUTE] = request.routeOptions.url ?? null;
  return held[ROUTE] ?? undefined;
}
