import type { FastifyRequest } from 'fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

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

/**
 * Adds to the Fastify route config of a controller method (Nest passes it to the route it registers), merging with
 * what other decorators put there: @nestjs/platform-fastify's RouteConfig would replace it. The command hooks
 * (http/command-hooks.ts) read it once, when the route is registered.
 */
export const AddRouteConfig =
  (config: Record<string, unknown>): MethodDecorator =>
  (_target, _key, descriptor) => {
    const held = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, descriptor.value as object) as Record<string, unknown>) ?? {};
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...held, ...config }, descriptor.value as object);
  };
