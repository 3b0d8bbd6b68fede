import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCategory } from '@ledger/domain';
import { EventStoreUnavailableError } from '@ledger/event-store';
import { UnreadableEventError, ViewsRebuildingError } from '@ledger/projections';
import { isOAuthPath, OAUTH_ERROR_CONTENT_TYPE, OAuthError, toOAuthError } from './oauth-error';
import { Problem, PROBLEM_CONTENT_TYPE, problem, ProblemError } from './problem';

const STATUS: Record<ErrorCategory, number> = {
  validation: 400,
  unprocessable: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

const TITLE: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

const HTTP_CODES: Record<number, string> = { 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type' };

/**
 * The one place where errors become problems, each with a stable code (docs/errors.md). errorAnswer() turns the
 * problem into the answer: application/problem+json, or an OAuth error on the OAuth endpoints.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof DomainError) {
    const status = STATUS[error.category];
    return problem(status, error.code, TITLE[status], error.message, error.details ? { details: error.details } : {});
  }
  if (error instanceof EventStoreUnavailableError) return problem(503, 'store_unavailable', TITLE[503], 'The event store cannot be reached; retry later');
  if (error instanceof UnreadableEventError) {
    return problem(503, 'event_unreadable', TITLE[503], 'This instance met an event in the log that its build cannot read; it answers no introspection until it is upgraded');
  }
  if (error instanceof ViewsRebuildingError) return problem(503, 'views_rebuilding', TITLE[503], 'The views are being rebuilt from the event log; retry shortly');
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.code === 'string' && fastifyError.code.startsWith('FST_ERR_CTP_')) return fastifyProblem(fastifyError);
  if (error instanceof HttpException) {
    // Fastify's JSON parser reports malformed bodies through Nest as a plain 400.
    if (error.getStatus() === 400) return problem(400, 'malformed_body', 'Bad request', 'The request body is not well-formed JSON');
    const status = error.getStatus();
    const code = HTTP_CODES[status] ?? `http_${status}`;
    return problem(status, code, TITLE[status] ?? 'Error', status === 404 ? 'No such resource' : error.message);
  }
  if (fastifyError?.code === 'FST_ERR_MAX_PARAM_LENGTH') return problem(414, 'uri_too_long', TITLE[414], 'A path parameter is too long');
  if (fastifyError?.code === 'FST_ERR_BAD_URL') return problem(400, 'malformed_url', TITLE[400], 'The URL is not well-formed');
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) return fastifyProblem(fastifyError);
  return problem(500, 'internal_error', TITLE[500], 'An unexpected error occurred');
}

function fastifyProblem(fastifyError: { statusCode?: number; code?: string; message?: string }): Problem {
  {
    const status = fastifyError.statusCode ?? 400;
    const code =
      fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'unsupported_media_type'
        : fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'payload_too_large'
          : fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'empty_body'
            : status === 400
              ? 'malformed_body'
              : `http_${status}`;
    const detail =
      code === 'malformed_body' ? 'The request body is not well-formed' : code === 'unsupported_media_type' ? 'Unsupported Content-Type' : fastifyError.message;
    return problem(status, code, TITLE[status] ?? 'Error', detail);
  }
}

export interface ErrorAnswer {
  status: number;
  body: Problem | OAuthError;
  headers: Record<string, string>;
  /** The problem, whatever the format of the body: for logs. */
  problem: Problem;
}

/**
 * An error as a whole HTTP answer for `path`, in one of two formats. The OAuth endpoints answer as RFC 6749 section
 * 5.2, RFC 7009 and RFC 7662 expect, `application/json` `{error, error_description}`, which OAuth client libraries
 * parse; everything else answers RFC 7807 problem+json. The status and the headers are the same either way.
 */
export function errorAnswer(error: unknown, path: string): ErrorAnswer {
  const problem = toProblem(error);
  const headers: Record<string, string> = {};
  // Expected while a rebuild runs (the instance is not ready), under contention and overload, and while views catch
  // up to a consistency token: a hint when to come back.
  if (isTransient(error)) headers['retry-after'] = '1';
  if (error instanceof ProblemError) Object.assign(headers, error.headers);
  headers['cache-control'] = 'no-store';
  if (isOAuthPath(path)) return { status: problem.status, body: toOAuthError(problem), headers: { ...headers, 'content-type': OAUTH_ERROR_CONTENT_TYPE }, problem };
  const body = { ...problem, instance: path };
  return { status: problem.status, body, headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE }, problem: body };
}

const isTransient = (error: unknown) => error instanceof ViewsRebuildingError || error instanceof UnreadableEventError || (error instanceof DomainError && error.category === 'unavailable');

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body, headers, problem } = errorAnswer(error, request.url.split('?')[0]);
    // A transient 503 is an answer, not a failure: no error log. So is a refusal that says when to come back (a cap on
    // open streams): the service protecting itself.
    if (status >= 500 && !isTransient(error) && !(error instanceof ProblemError && error.headers['retry-after'] !== undefined)) {
      this.logger.error({ msg: 'request failed', requestId: request.id, code: problem.code, error: error instanceof Error ? error.stack : String(error) });
    }
    reply.status(status).headers(headers).send(body);
  }
}
