import type { FastifyRequest } from 'fastify';
import { problem, ProblemError } from './problem';

/** No request of this API nests deeper than an array of scopes in an object: 8 leaves plenty of room. */
export const MAX_JSON_DEPTH = 8;

/**
 * Fastify preValidation hook: a JSON body nested deeper than MAX_JSON_DEPTH is refused with 400 before class-
 * transformer walks it, which recurses and runs out of stack on a few thousand levels (a 500, not an answer). The
 * walk here is iterative, so no body can make it throw.
 */
export function jsonDepthHook(request: FastifyRequest): void {
  if (typeof request.body !== 'object' || request.body === null) return;
  const stack: Array<[unknown, number]> = [[request.body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) throw new ProblemError(problem(400, 'body_too_deep', 'Bad request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`));
    for (const child of Object.values(value as object)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}
