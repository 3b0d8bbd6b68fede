/** RFC 7807 problem details. `code` is this service's stable identifier; `type` is derived from it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, code: string, title: string, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: `urn:consent-ledger:problem:${code}`, title, status, ...(detail ? { detail } : {}), code, ...extensions };
}

/**
 * An error thrown at the edge (validation, content type, idempotency) that is already a problem.
 *
 * A refusal below 500 is the caller's doing and its stack is never logged (ProblemDetailsFilter logs 5xx only), so
 * none is captured: V8 walks the stack in the Error constructor, and that walk was the largest single cost of a
 * request refused at validation (about 6 % of its CPU in the commands benchmark's profile, docs/performance.md).
 */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    /** Response headers that belong with the problem (WWW-Authenticate on a 401). */
    readonly headers: Record<string, string> = {},
  ) {
    const limit = Error.stackTraceLimit;
    if (problem.status < 500) Error.stackTraceLimit = 0;
    super(problem.detail ?? problem.title);
    Error.stackTraceLimit = limit;
  }
}
