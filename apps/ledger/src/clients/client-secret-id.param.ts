import { Param, PipeTransform } from '@nestjs/common';
import { CLIENT_SECRET_ID_PATTERN } from '@ledger/domain';
import { problem, ProblemError } from '../http/problem';

class SecretIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CLIENT_SECRET_ID_PATTERN.test(value)) throw new ProblemError(problem(404, 'client_secret_not_found', 'Not found', 'No such client secret'));
    return value;
  }
}

/** A secret id from the path; a malformed one was never given out, so it is a 404 like any unknown id. */
export const ClientSecretIdParam = () => Param('secretId', new SecretIdPipe());
