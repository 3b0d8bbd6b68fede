import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem, ProblemError } from './problem';
import { routeOf } from './route-of';

/**
 * 405 with Allow for a known path asked with a method it does not have (RFC 9110 section 15.5.6), rather than 404.
 * Fastify routes by method first, so it learns the paths here, from every route as it is registered: install before
 * the routes. The hook runs after authentication, so a stranger still cannot map the API.
 */
export function methodNotAllowedHook(fastify: FastifyInstance) {
  const routes: Array<{ pattern: RegExp; method: string }> = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ pattern: patternOf(route.url ?? route.path), method });
  });
  return (request: FastifyRequest): void => {
    if (routeOf(request) !== undefined) return;
    const path = request.url.split('?')[0];
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
    if (allowed.length === 0) return;
    throw new ProblemError(problem(405, 'method_not_allowed', 'Method not allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}`), {
      allow: allowed.join(', '),
    });
  };
}

/** A Fastify route pattern as a regular expression: `:param` is one path segment, `*` anything. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
