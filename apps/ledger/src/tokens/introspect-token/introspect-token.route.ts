import type { FastifyInstance } from 'fastify';
import { assertRole } from '../../auth/auth-problems';
import type { Clock } from '../../infrastructure/clock';
import { CONSISTENCY_HEADER, consistencyPositions } from '../../http/consistency-token';
import { tokenParameter } from '../oauth-form';
import { IntrospectToken } from './introspect-token.query';

export const INTROSPECTION_PATH = '/v1/oauth2/introspect';
const JSON_TYPE = 'application/json; charset=utf-8';
const INACTIVE_BODY = '{"active":false}';

/**
 * RFC 7662 introspection sits on every request a resource service handles, so it is a plain Fastify route rather
 * than a Nest controller: it skips Nest's router, guards, pipes and interceptors (a few microseconds a request), but
 * not Fastify's hooks. Authentication, the content-type check, the body limit and form parser, the request id, the
 * access log and the metrics are the ones every request passes, and its errors go through the one error mapper
 * (Fastify's error handler is Nest's exception filter). Its OpenAPI operation is introspect-token.openapi.ts.
 */
export function registerIntrospectionRoute(fastify: FastifyInstance, introspection: IntrospectToken, clock: Clock, answered: (active: boolean) => void): void {
  fastify.post(INTROSPECTION_PATH, (request, reply) => {
    assertRole(request.caller, ['introspect'], INTROSPECTION_PATH);
    const token = tokenParameter(request);
    const consistency = (request.body as Record<string, unknown> | undefined)?.consistency;
    // A consistency token may make the answer wait (docs/scaling.md); the usual request waits for nothing.
    const consistent = introspection.whenConsistent(consistencyPositions(consistency, request.headers[CONSISTENCY_HEADER]));
    const send = () => {
      const answer = introspection.answer(token, clock.now());
      answered(answer.active);
      return reply.header('cache-control', 'no-store').type(JSON_TYPE).send(answer.active ? JSON.stringify(answer) : INACTIVE_BODY);
    };
    return consistent ? consistent.then(send) : send();
  });
}
