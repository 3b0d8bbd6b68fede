import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PositionScope } from '@ledger/commands';
import { ProjectionRunner } from '@ledger/projections';
import { assertRouteAccess } from '../auth/role.guard';
import { NodeState } from '../infrastructure/node-state';
import { CONSISTENCY_CONFIG, ConsistencyHooks } from './consistency.hook';
import { IDEMPOTENT_CONFIG, IdempotencyHooks, type IdempotentConfig } from './idempotency.hook';

const HTTP_CODE_METADATA = '__httpCode__';

/**
 * Gives the command routes marked @ConsistencyToken() and @Idempotent() their hooks, as each route is registered
 * (Nest registers its routes when the application initialises, after this). Route hooks, not global ones: no other
 * route pays a call for them. The consistency scope is opened first, so the idempotency hook runs inside it.
 */
export function registerCommandHooks(app: NestFastifyApplication, fastify: FastifyInstance): void {
  const consistency = new ConsistencyHooks(app.get(PositionScope), app.get(ProjectionRunner));
  const idempotency = new IdempotencyHooks(app.get(NodeState));
  const reflector = app.get(Reflector);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as Record<string, unknown>;
    const preHandler = [];
    const onSend = [];
    if (config[CONSISTENCY_CONFIG] === true) {
      preHandler.push(consistency.preHandler);
      onSend.push(consistency.onSend);
    }
    const idempotent = config[IDEMPOTENT_CONFIG] as IdempotentConfig | undefined;
    if (idempotent !== undefined) {
      const targets: [Function, Function] = [idempotent.handler, idempotent.controller];
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const resolved = {
        ...idempotent.options,
        status: (Reflect.getMetadata(HTTP_CODE_METADATA, idempotent.handler) as number | undefined) ?? (methods.includes('POST') ? 201 : 200),
        assertAccess: (request: Parameters<typeof assertRouteAccess>[2]) => assertRouteAccess(reflector, targets, request),
      };
      preHandler.push(idempotency.preHandler(resolved));
      onSend.push(idempotency.onSend(resolved));
    }
    if (preHandler.length === 0) return;
    route.preHandler = [...toArray(route.preHandler), ...preHandler];
    route.onSend = [...toArray(route.onSend), ...onSend];
  });
}

const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
