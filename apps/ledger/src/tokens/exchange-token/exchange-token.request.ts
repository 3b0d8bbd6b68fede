import type { FastifyRequest } from 'fastify';
import type { CommandMetadata } from '@ledger/domain';
import { problem, ProblemError } from '../../http/problem';
import { oauthClientOf } from '../../http/request-context';
import { formParameters } from '../oauth-form';
import { ACCESS_TOKEN_TYPE } from '../grant-types';
import { ExchangeTokenCommand } from './exchange-token.command';

const badRequest = (detail: string) => new ProblemError(problem(400, 'invalid_request', 'Bad request', detail));

/**
 * The RFC 8693 section 2.1 parameters of a token exchange. Only an access token may be the subject, and only an
 * access token is issued; there is no actor token (the asking client is the actor, by its own credentials).
 * `resource` and `audience` name a target by location, which the ledger does not keep: the target is the dependent
 * scope, named by `scope` (invalid_target otherwise, RFC 8693 section 2.2.2).
 */
export function exchangeTokenCommand(request: FastifyRequest, meta: CommandMetadata): ExchangeTokenCommand {
  const form = formParameters(request, ['subject_token', 'subject_token_type', 'requested_token_type', 'scope', 'resource', 'audience', 'actor_token', 'actor_token_type']);
  if (form.subject_token === undefined) throw badRequest('subject_token is required');
  if (form.subject_token_type === undefined) throw badRequest('subject_token_type is required');
  if (form.subject_token_type !== ACCESS_TOKEN_TYPE) throw badRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}: only an access token carries the scope a dependency hangs on`);
  if (form.requested_token_type !== undefined && form.requested_token_type !== ACCESS_TOKEN_TYPE) throw badRequest(`requested_token_type may only be ${ACCESS_TOKEN_TYPE}`);
  if (form.actor_token !== undefined || form.actor_token_type !== undefined) throw badRequest('actor_token is not supported: the client that asks is the actor, by its own credentials');
  if (form.resource !== undefined || form.audience !== undefined) {
    throw new ProblemError(problem(400, 'invalid_target', 'Invalid target', 'Name the dependent scope with scope; resource and audience are not supported'));
  }
  if (form.scope === undefined) throw new ProblemError(problem(400, 'invalid_scope', 'Invalid scope', 'scope is required: the dependent scope to exchange for'));
  const scopes = form.scope.split(' ').filter((s) => s.length > 0);
  return new ExchangeTokenCommand(form.subject_token, scopes, oauthClientOf(request).clientId, meta);
}
