import { ValidationError, ValidationPipe } from '@nestjs/common';
import { problem, ProblemError } from './problem';
import { SCOPE_LIST_CONSTRAINT } from './validators';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * A body whose only fault is a malformed list of scopes is invalid_scope, the code RFC 6749 gives a malformed scope
 * and the one the deciders raise for it; anything else wrong with it (too) makes it invalid_request.
 */
const onlyScopes = (errors: ValidationError[]) =>
  errors.length > 0 && errors.every((e) => !e.children?.length && e.constraints !== undefined && Object.keys(e.constraints).every((name) => name === SCOPE_LIST_CONSTRAINT));

/**
 * Strict DTOs at the edge: unknown fields are refused, not silently dropped, and every problem names its field. The
 * fields go in `details`, the one extension member every problem with particulars has (domain errors' too).
 */
export const strictValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ProblemError(
        problem(400, onlyScopes(errors) ? 'invalid_scope' : 'invalid_request', 'Bad request', fields.map((f) => `${f.field}: ${f.messages.join('; ')}`).join('. '), { details: { fields } }),
      );
    },
  });
