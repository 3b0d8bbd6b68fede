import { ValidationError, ValidationPipe } from '@nestjs/common';
import { problem, ProblemError } from './problem';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

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
        problem(400, 'invalid_request', 'Bad request', fields.map((f) => `${f.field}: ${f.messages.join('; ')}`).join('. '), { details: { fields } }),
      );
    },
  });
