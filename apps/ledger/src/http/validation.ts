import { ValidationError, ValidationPipe } from '@nestjs/common';
import { problem, ProblemError } from './problem';
import { cacheValidationMetadata } from './validation-metadata-cache';
import { CONSENT_EXPIRY_CONSTRAINT, SCOPE_LIST_CONSTRAINT } from './validators';

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
const only = (errors: ValidationError[], constraint: string) =>
  errors.length > 0 && errors.every((e) => !e.children?.length && e.constraints !== undefined && Object.keys(e.constraints).every((name) => name === constraint));

/** Likewise a grant whose only fault is its expiry is invalid_consent_expiry, as its decider says it. */
const codeOf = (errors: ValidationError[]) =>
  only(errors, SCOPE_LIST_CONSTRAINT) ? 'invalid_scope' : only(errors, CONSENT_EXPIRY_CONSTRAINT) ? 'invalid_consent_expiry' : 'invalid_request';

/**
 * Strict DTOs at the edge: unknown fields are refused, not silently dropped, and every problem names its field. The
 * fields go in `details`, the one extension member every problem with particulars has (domain errors' too).
 */
export const strictValidationPipe = () => {
  cacheValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ProblemError(
        problem(400, codeOf(errors), 'Bad request', fields.map((f) => `${f.field}: ${f.messages.join('; ')}`).join('. '), { details: { fields } }),
      );
    },
  });
};
