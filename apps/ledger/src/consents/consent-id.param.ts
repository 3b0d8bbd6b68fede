import { Param, PipeTransform } from '@nestjs/common';
import { ConsentId, parseConsentId } from '@ledger/domain';
import { problem, ProblemError } from '../http/problem';

class ConsentIdPipe implements PipeTransform<string, ConsentId> {
  transform(value: string): ConsentId {
    const consent = parseConsentId(value);
    if (!consent) throw new ProblemError(problem(404, 'consent_not_found', 'Not found', `Consent ${value.slice(0, 100)} does not exist`));
    return consent;
  }
}

/** A consent id from the path, parsed here once; a malformed one cannot exist, so it is a 404 like any unknown id. */
export const ConsentIdParam = () => Param('id', new ConsentIdPipe());
