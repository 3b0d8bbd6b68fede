import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CommandMetadata, Initiator } from '@ledger/domain';
import { INITIATORS } from '@ledger/domain';
import type { Caller } from '../auth/api-keys';
import { problem, ProblemError } from './problem';

/** The authenticated caller. Every route that reaches this passed RoleGuard, so a missing caller is a wiring bug. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('No authenticated caller on this request');
  return request.caller;
}

/**
 * Builds command metadata at the edge: the time, the authenticated actor, the request id, and the CAEP initiating
 * entity (X-Initiator header, default 'user' because the auth front end acts for a user).
 */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return { now: new Date(), actor: callerOf(request).name, correlationId: String(request.id), initiator: initiatorOf(request) };
});

/** The X-Initiator header, validated; the idempotency interceptor checks it too, before it may replay an answer. */
export function initiatorOf(request: FastifyRequest): Initiator {
  const header = request.headers['x-initiator'];
  const initiator = (header === undefined ? 'user' : String(header).toLowerCase()) as Initiator;
  if (!INITIATORS.includes(initiator)) {
    throw new ProblemError(problem(400, 'invalid_initiator', 'Bad request', `X-Initiator must be one of ${INITIATORS.join(', ')}`));
  }
  return initiator;
}
