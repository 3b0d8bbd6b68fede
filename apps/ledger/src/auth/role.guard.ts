import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Role } from './api-keys';
import { assertOAuthClient, assertRole } from './auth-problems';
import { routeOf } from '../http/route-of';

const PUBLIC_KEY = 'ledger:public';
const ROLES_KEY = 'ledger:roles';
const OAUTH_CLIENT_KEY = 'ledger:oauth-client';

/** A route anyone may call (health). Everything else needs a caller. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles that may call a route, or every route of a controller. */
export const RequireRole = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route for OAuth clients authenticated with their own credentials, and for no API key of any role. */
export const RequireOAuthClient = () => SetMetadata(OAUTH_CLIENT_KEY, true);

/**
 * Enforces @RequireRole and @RequireOAuthClient. Authentication itself happened in the onRequest hook
 * (authentication.hook.ts), before the body was read; this guard decides by the route's metadata. A route with none
 * of @RequireRole, @RequireOAuthClient and @Public is admin-only, so a route that forgets its metadata fails closed;
 * and an OAuth client reaches only the routes that ask for one (assertRole knows API keys alone).
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    assertRouteAccess(this.reflector, [context.getHandler(), context.getClass()], context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

/**
 * RoleGuard's decision for one route (its handler and controller): also asked by the idempotency hook, which may
 * answer a replay before Nest's guards run and must refuse whom the guard would refuse, in the same way.
 */
export function assertRouteAccess(reflector: Reflector, targets: [Function, Function], request: FastifyRequest): void {
  if (reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return;
  const route = routeOf(request);
  if (reflector.getAllAndOverride<boolean>(OAUTH_CLIENT_KEY, targets)) assertOAuthClient(request.oauthClient, request.caller, route);
  else assertRole(request.caller, reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [], route);
}
