import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Role } from './api-keys';
import { isOAuthPath } from '../http/oauth-error';
import { assertRole } from './auth-problems';

const PUBLIC_KEY = 'ledger:public';
const ROLES_KEY = 'ledger:roles';

/** A route anyone may call (health). Everything else needs a caller. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles that may call a route, or every route of a controller. */
export const RequireRole = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Enforces @RequireRole. Authentication itself happened in the onRequest hook (authentication.hook.ts), before the
 * body was read; this guard decides by the route's metadata. A route with neither @RequireRole nor @Public is
 * admin-only, so a route that forgets its metadata fails closed.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertRole(request.caller, this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [], isOAuthPath(request.routeOptions.url ?? ''));
    return true;
  }
}
