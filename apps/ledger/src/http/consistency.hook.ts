import { applyDecorators } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PositionScope } from '@ledger/commands';
import { ProjectionRunner } from '@ledger/projections';
import { CONSISTENCY_HEADER, consistencyToken } from './consistency-token';
import { AddRouteConfig } from './route-of';

/** Config key of @ConsistencyToken() routes. */
export const CONSISTENCY_CONFIG = 'ledgerConsistencyToken';

const SCOPE = Symbol('positions');
type WithScope = FastifyRequest & { [SCOPE]?: () => number | undefined };

/**
 * Puts `Ledger-Consistency` on the answers of routes marked @ConsistencyToken(). The request runs in a
 * PositionScope, into which the command executor records each outcome's position, so handlers and commands never
 * carry a position (or anything of HTTP). The route's first preHandler: the idempotency hook runs inside the scope,
 * so an idempotent replay (answered without calling the handler) gets a token too.
 *
 * Route hooks rather than a Nest interceptor: no rxjs pipeline and no AsyncResource.bind per request.
 */
export class ConsistencyHooks {
  constructor(
    private readonly positions: PositionScope,
    private readonly projection: ProjectionRunner,
  ) {}

  /** Everything after it (the next hooks, then Nest's handler) starts inside the scope, and its awaits stay there. */
  readonly preHandler = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    this.positions.run((highest) => {
      (request as WithScope)[SCOPE] = highest;
      done();
    });
  };

  readonly onSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void => {
    // Only on the handler's answers (and replays of them): an error's is the exception filter's.
    if (reply.statusCode < 400) {
      // Nothing recorded: an idempotent replay (the first answer came from this instance once its views included
      // the command: read-your-writes) or a command that found nothing to act on in this instance's views. Either
      // way the answer rests on no more than these views hold, so their position is a safe token.
      const position = (request as WithScope)[SCOPE]?.() ?? this.projection.status().position;
      reply.header(CONSISTENCY_HEADER, consistencyToken(position));
    }
    done(null, payload);
  };
}

const DOCUMENTED_HEADER = {
  'Ledger-Consistency': {
    description:
      'Opaque consistency token (v1.<base64url>). Pass it to introspection on any instance (form parameter `consistency` or this header): ' +
      'that instance answers only once its views include this command, or 503 with Retry-After when they do not get there in time.',
    schema: { type: 'string', pattern: '^v1\\.[A-Za-z0-9_-]{11}$' },
  },
};

/**
 * The route's 2xx answers carry a consistency token, and its OpenAPI document says so on every 2xx response it
 * declares. Place it above the route's response decorators: decorators apply bottom-up, so those must already be
 * there (checked, so that a misplaced one fails at start-up rather than leaving the document silent).
 */
export const ConsistencyToken = () =>
  applyDecorators(AddRouteConfig({ [CONSISTENCY_CONFIG]: true }), (_target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const responses: Record<string, { headers?: object }> = Reflect.getMetadata(DECORATORS.API_RESPONSE, descriptor.value) ?? {};
    const success = Object.keys(responses).filter((status) => status.startsWith('2'));
    if (success.length === 0) throw new Error(`@ConsistencyToken() on ${String(key)} must sit above its 2xx response decorators`);
    const documented = Object.fromEntries(
      Object.entries(responses).map(([status, r]) => [status, success.includes(status) ? { ...r, headers: { ...r.headers, ...DOCUMENTED_HEADER } } : r]),
    );
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, documented, descriptor.value);
  });
