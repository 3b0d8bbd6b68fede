import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CommandMetadata, Initiator } from '@ledger/domain';
import { INITIATORS } from '@ledger/domain';
import type { Caller } from '../auth/api-keys';
import { clientActor, type OAuthClient } from '../auth/client-authenticator';
import { problem, ProblemError } from './problem';

/** A caller's X-Request-Id is kept (as clientRequestId) only when it is this sane; otherwise it is dropped. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/**
 * Initiators that claim authority over the user: only an admin caller may assert them. `system` and `policy` are
 * also what the ledger itself would record for its own commands, which never pass through here.
 */
const ADMIN_ONLY_INITIATORS: readonly Initiator[] = ['admin', 'policy', 'system'];

/** The authenticated caller. Every route that reaches this passed RoleGuard, so a missing caller is a wiring bug. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('No authenticated caller on this request');
  return request.caller;
}

/** The OAuth client of a @RequireOAuthClient route; as for callerOf, a missing one is a wiring bug. */
export function oauthClientOf(request: FastifyRequest): OAuthClient {
  if (!request.oauthClient) throw new Error('No authenticated OAuth client on this request');
  return request.oauthClient;
}

/** Who is recorded as having done what a request causes: an API key's name, or `client:<id>` (clientActor). */
export function actorOf(request: FastifyRequest): string | undefined {
  return request.oauthClient ? clientActor(request.oauthClient.clientId) : request.caller?.name;
}

/**
 * Builds command metadata at the edge (docs/audit.md, "What each field proves"): the time; the authenticated actor;
 * the server's own request id as correlationId, with the caller's X-Request-Id beside it as clientRequestId; and the
 * CAEP initiating entity (X-Initiator, default 'user' because the auth front end acts for a user), marked as the
 * caller's assertion when given, and refused with 403 when it claims an authority the caller's role does not have.
 */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const actor = actorOf(request);
  if (actor === undefined) throw new Error('No authenticated caller on this request');
  const initiator = initiatorOf(request);
  const given = request.headers['x-request-id'];
  const clientRequestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : undefined;
  return {
    now: new Date(),
    actor,
    correlationId: String(request.id),
    initiator,
    ...(request.headers['x-initiator'] !== undefined ? { initiatorAsserted: true } : {}),
    ...(clientRequestId !== undefined ? { clientRequestId } : {}),
  };
});

/**
 * The X-Initiator header, validated, with the authority it claims checked against the caller's role; the
 * idempotency hook checks it too, before it may replay an answer.
 */
export function initiatorOf(request: FastifyRequest): Initiator {
  const header = request.headers['x-initiator'];
  const initiator = (header === undefined ? 'user' : String(header).toLowerCase()) as Initiator;
  if (!INITIATORS.includes(initiator)) {
    throw new ProblemError(problem(400, 'invalid_initiator', 'Bad request', `X-Initiator must be one of ${INITIATORS.join(', ')}`));
  }
  // An OAuth client holds no role: it may assert only the user.
  if (ADMIN_ONLY_INITIATORS.includes(initiator) && request.caller?.role !== 'admin') {
    throw new ProblemError(problem(403, 'initiator_not_allowed', 'Forbidden', `X-Initiator: ${initiator} needs the admin role`));
  }
  return initiator;
}
