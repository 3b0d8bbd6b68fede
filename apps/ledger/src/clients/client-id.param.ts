import { Param, PipeTransform } from '@nestjs/common';
import { CLIENT_ID_PATTERN } from '@ledger/domain';
import { problem, ProblemError } from '../http/problem';

class ClientIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CLIENT_ID_PATTERN.test(value)) throw new ProblemError(problem(404, 'client_not_found', 'Not found', `Client ${value.slice(0, 100)} is not registered`));
    return value;
  }
}

/** A client id from the path, checked here once; a malformed one cannot be registered, so it is a 404 like any unknown id. */
export const ClientIdParam = () => Param('id', new ClientIdPipe());
