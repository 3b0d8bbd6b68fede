import type { FastifyRequest } from 'fastify';
import { problem, ProblemError } from '../http/problem';

/**
 * RFC 7662 / RFC 7009 requests are application/x-www-form-urlencoded with a `token` parameter, once (RFC 6749
 * section 3.1: a repeated parameter is invalid_request). The error mapper answers these as OAuth errors.
 */
export function tokenParameter(request: FastifyRequest): string {
  const token = formOf(request).token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
    throw new ProblemError(problem(400, 'invalid_request', 'Bad request', 'The token parameter is required'));
  }
  return token;
}

/** The parsed form of an OAuth request, which must be application/x-www-form-urlencoded. */
function formOf(request: FastifyRequest): Record<string, unknown> {
  const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new ProblemError(problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send the request as application/x-www-form-urlencoded'));
  }
  return (request.body as Record<string, unknown> | undefined) ?? {};
}

/**
 * The named parameters of an OAuth form, each a string or absent; one sent twice is invalid_request (RFC 6749
 * section 3.1), as is an empty or overlong one.
 */
export function formParameters<K extends string>(request: FastifyRequest, names: readonly K[]): Partial<Record<K, string>> {
  const form = formOf(request);
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = form[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ProblemError(problem(400, 'invalid_request', 'Bad request', `${name} may be sent once`));
    if (value.length === 0 || value.length > 4096) throw new ProblemError(problem(400, 'invalid_request', 'Bad request', `${name} must be 1-4096 characters`));
    out[name] = value;
  }
  return out;
}
