import type { FastifyRequest } from 'fastify';
import { problem, ProblemError } from '../http/problem';

/**
 * RFC 7662 / RFC 7009 requests are application/x-www-form-urlencoded with a `token` parameter, once (RFC 6749
 * section 3.1: a repeated parameter is invalid_request). The error mapper answers these as OAuth errors.
 */
export function tokenParameter(request: FastifyRequest): string {
  const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new ProblemError(
      problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send the token as application/x-www-form-urlencoded'),
    );
  }
  const token = (request.body as Record<string, unknown> | undefined)?.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
    throw new ProblemError(problem(400, 'invalid_request', 'Bad request', 'The token parameter is required'));
  }
  return token;
}
