import { problem, ProblemError } from './problem';

const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;

describe('ProblemError', () => {
  it('captures no stack for a refusal below 500, which is never logged, and keeps its message and problem', () => {
    const error = new ProblemError(problem(400, 'invalid_request', 'Invalid request', 'scopes must be a list'), { 'www-authenticate': 'Bearer' });
    expect(frames(error)).toBe(0);
    expect(error.message).toBe('scopes must be a list');
    expect(error.problem.code).toBe('invalid_request');
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(error).toBeInstanceOf(Error);
  });

  it('captures the stack of a 5xx, which ProblemDetailsFilter logs, and leaves the limit as it was', () => {
    const limit = Error.stackTraceLimit;
    expect(frames(new ProblemError(problem(500, 'internal', 'Internal error')))).toBeGreaterThan(0);
    new ProblemError(problem(401, 'unauthorized', 'Unauthorized'));
    expect(Error.stackTraceLimit).toBe(limit);
    expect(frames(new Error('plain'))).toBeGreaterThan(0);
  });
});
