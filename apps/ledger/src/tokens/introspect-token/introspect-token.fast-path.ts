import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSISTENCY_HEADER, consistencyPositions } from '../../http/consistency-token';
import { problem, PROBLEM_CONTENT_TYPE } from '../../http/problem';
import { problemAnswer } from '../../http/problem-details.filter';
import { IntrospectToken } from './introspect-token.query';

const PATH = '/v1/oauth2/introspect';
/** A form with a token and a hint is far smaller; anything bigger is not an introspection request. */
const MAX_BODY = 8 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const INACTIVE_BODY = '{"active":false}';

/**
 * RFC 7662 introspection sits on every request a resource service handles, so it is answered straight from the
 * node:http server, before Fastify and Nest: no routing, hooks, pipes or interceptors, just authenticate, read the
 * form, hash, one primary-key lookup, write. Everything else (and any request this path does not fully understand,
 * or whose caller it does not accept) falls through to the Nest route, which stays the documented implementation
 * and produces the exact same answers and errors.
 */
export class IntrospectionFastPath {
  constructor(
    private readonly introspection: IntrospectToken,
    /** True when the Authorization header belongs to a caller allowed to introspect. */
    private readonly authorized: (authorization: string | undefined) => boolean,
    /** True while shutting down: answers then close their connection, as the Fastify routes' do. */
    private readonly closing: () => boolean = () => false,
    /** Told of every answer, for /metrics: these requests never reach Fastify's hooks. */
    private readonly answered: (active: boolean) => void = () => undefined,
  ) {}

  /** Returns false when the request is not for this path; the caller then hands it to Fastify untouched. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || req.url !== PATH) return false;
    // While the views rebuild, the Nest route answers 503 problem+json.
    if (!this.introspection.available) return false;
    const type = req.headers['content-type'];
    if (type === undefined || !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return false;
    // Refusals (401/403) are the guard's business: let the Nest route produce them.
    if (!this.authorized(req.headers.authorization)) return false;

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return this.fail(res, 413, 'payload_too_large', 'Payload too large', 'The request body is too large');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('latin1'));
      const token = form.get('token');
      if (!token || token.length > 4096) return this.fail(res, 400, 'invalid_request', 'Bad request', 'The token parameter is required');
      // A consistency token may make the answer wait; the query decides, exactly as for the Nest route.
      let consistent: Promise<void> | undefined;
      try {
        consistent = this.introspection.whenConsistent(consistencyPositions(form.getAll('consistency'), req.headers[CONSISTENCY_HEADER]));
      } catch (error) {
        return this.problem(res, error);
      }
      if (!consistent) return this.answer(res, token);
      consistent.then(() => this.answer(res, token)).catch((error: unknown) => this.problem(res, error));
    });
    req.on('error', () => res.destroy());
    return true;
  }

  private answer(res: ServerResponse, token: string) {
    const answer = this.introspection.answer(token, Date.now());
    this.answered(answer.active);
    res.writeHead(200, this.closing() ? { ...JSON_HEADERS, connection: 'close' } : JSON_HEADERS);
    res.end(answer.active ? JSON.stringify(answer) : INACTIVE_BODY);
  }

  /** Through the one error mapper, as the Nest route's errors are. */
  private problem(res: ServerResponse, error: unknown) {
    const { body, headers } = problemAnswer(error, PATH);
    res.writeHead(body.status, this.closing() ? { ...headers, connection: 'close' } : headers);
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, code: string, title: string, detail: string) {
    const body = { ...problem(status, code, title, detail, { error: 'invalid_request' }), instance: PATH };
    res.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...(this.closing() ? { connection: 'close' } : {}) });
    res.end(JSON.stringify(body));
  }
}
