import { applyDecorators } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiExtension, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { INITIATORS } from '@ledger/domain';
import type { Role } from '../auth/api-keys';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';

/**
 * Decorators that make the OpenAPI document say what the edge does: who may call (so Swagger UI's "Try it out" sends
 * the credential), which problems an operation answers, and the headers it reads. They only describe; RoleGuard,
 * the validation pipe and the exception filter decide. test/openapi.e2e-spec.ts holds the two to each other.
 */

export const PROBLEM_SCHEMA = 'Problem';
export const BEARER_SCHEME = 'bearer';
export const BASIC_SCHEME = 'basic';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation (invalid_request, with `details.fields`, or a specific code)',
  401: 'No credentials, or credentials this service does not know (unauthorized; WWW-Authenticate says how)',
  403: 'The credentials are valid but their role may not call this operation (forbidden)',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  413: 'The body is larger than LEDGER_BODY_LIMIT_BYTES (payload_too_large)',
  414: 'A path parameter is too long (uri_too_long)',
  415: 'The body is not in the media type this operation takes (unsupported_media_type)',
  422: 'This Idempotency-Key was used with a different request (idempotency_key_reused)',
  503: 'The store or views cannot answer now (store_unavailable, views_rebuilding, stream_contended, overloaded, event_unreadable); Retry-After says when to come back',
};

const problemResponse = (status: number, description = PROBLEM_DESCRIPTIONS[status]) =>
  ApiResponse({
    status,
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } } },
    ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } } : {}),
  });

/** Problem+json answers an operation may give; a description overrides the generic one for that status. */
export const ApiProblems = (...statuses: Array<number | [number, string]>) =>
  applyDecorators(...statuses.map((s) => (Array.isArray(s) ? problemResponse(s[0], s[1]) : problemResponse(s))));

/**
 * Who may call: an API key of one of these roles (or admin), as a bearer token. On the OAuth endpoints (RFC 7662,
 * RFC 7009) HTTP Basic is accepted as well, as an alternative. `x-roles` names the roles for a reader and a test.
 */
export const ApiCaller = (...roles: Role[]) =>
  applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-roles', [...roles, 'admin']),
    ApiProblems(401, [403, `The credentials are valid but not of role ${[...roles, 'admin'].join(' or ')} (forbidden)`]),
  );

/**
 * RFC 7009 revocation: OAuth clients with their own credentials, HTTP Basic (client_secret_basic) or client_id and
 * client_secret in the form (client_secret_post), which is no OpenAPI security scheme. No API key, so `x-roles` is
 * empty: every role is refused.
 */
export const ApiOAuthClient = () =>
  applyDecorators(
    ApiBasicAuth(BASIC_SCHEME),
    ApiExtension('x-roles', []),
    ApiExtension('x-oauth-client', true),
    ApiProblems(
      [401, 'invalid_client: no client credentials, unknown ones, a revoked or expired secret, or a disabled or deleted client (WWW-Authenticate)'],
      [403, 'unauthorized_client: an API key, of whatever role; staff revoke by token id'],
    ),
  );

/** Matches each initiator in any letter case, as CommandMeta compares them. */
const INITIATOR_PATTERN = `^(?:${INITIATORS.map((i) => [...i].map((c) => `[${c}${c.toUpperCase()}]`).join('')).join('|')})$`;

/** X-Initiator, read by CommandMeta on every command: who set the change in motion (CAEP initiating entity). */
export const ApiInitiator = () =>
  ApiHeader({
    name: 'X-Initiator',
    required: false,
    description: `Who initiated the change, recorded with the event: one of ${INITIATORS.join(', ')} (any case). Default: user.`,
    schema: { type: 'string', pattern: INITIATOR_PATTERN, default: 'user' },
  });
