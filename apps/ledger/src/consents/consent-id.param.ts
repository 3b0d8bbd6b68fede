import { Param, PipeTransform } from '@nestjs/common';
import { CONSENT_ID_PATTERN } from '@ledger/domain';
import { problem, ProblemError } from '../http/problem';

class ConsentIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CONSENT_ID_PATTERN.test(value)) throw new ProblemError(problem(404, 'consent_not_found', 'Not found', `Consent ${value.slice(0, 100)} does not exist`));
    return value;
  }
}

/** A consent id from the path; a malformed one cannot exist, so it is a 404 like any unknown id. */
export const ConsentIdParam = () => Param('id', new ConsentIdPipe());
