import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable, tap } from 'rxjs';
import { PositionScope } from '@ledger/commands';
import { ProjectionRunner } from '@ledger/projections';
import { CONSISTENCY_HEADER, consistencyToken } from './consistency-token';

const CONSISTENCY_KEY = 'ledger:consistency';

/**
 * Puts `Ledger-Consistency` on the answers of routes marked @ConsistencyToken(). The request runs in a
 * PositionScope, into which the command executor records each outcome's position, so handlers and commands never
 * carry a position (or anything of HTTP). Installed globally: global interceptors run outside route ones, so an
 * idempotent replay (IdempotencyInterceptor answers without calling the handler) gets a token too.
 */
@Injectable()
export class ConsistencyInterceptor implements NestInterceptor {
  constructor(
    private readonly positions: PositionScope,
    private readonly projection: ProjectionRunner,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(CONSISTENCY_KEY, context.getHandler())) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Nest binds the rest of the chain to the async context in which next.handle() is called: the scope follows it.
    const scope = this.positions.run(() => next.handle());
    return scope.result.pipe(
      tap(() => {
        // Nothing recorded: an idempotent replay (the first answer came from this instance once its views included
        // the command: read-your-writes) or a command that found nothing to act on in this instance's views. Either
        // way the answer rests on no more than these views hold, so their position is a safe token.
        const position = scope.highest() ?? this.projection.status().position;
        reply.header(CONSISTENCY_HEADER, consistencyToken(position));
      }),
    );
  }
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
  applyDecorators(SetMetadata(CONSISTENCY_KEY, true), (_target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const responses: Record<string, { headers?: object }> = Reflect.getMetadata(DECORATORS.API_RESPONSE, descriptor.value) ?? {};
    const success = Object.keys(responses).filter((status) => status.startsWith('2'));
    if (success.length === 0) throw new Error(`@ConsistencyToken() on ${String(key)} must sit above its 2xx response decorators`);
    const documented = Object.fromEntries(
      Object.entries(responses).map(([status, r]) => [status, success.includes(status) ? { ...r, headers: { ...r.headers, ...DOCUMENTED_HEADER } } : r]),
    );
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, documented, descriptor.value);
  });
