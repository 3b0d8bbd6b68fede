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

/** An error thrown at the edge (validation, content type, idempotency) that is already a problem. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    /** Response headers that belong with the problem (WWW-Authenticate on a 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
  }
}
