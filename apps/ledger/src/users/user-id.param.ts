import { Param, PipeTransform } from '@nestjs/common';
import { USER_ID_PATTERN } from '@ledger/domain';
import { problem, ProblemError } from '../http/problem';

class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!USER_ID_PATTERN.test(value)) throw new ProblemError(problem(400, 'invalid_user_id', 'Bad request', 'userId is malformed'));
    return value;
  }
}

/** A user id from the path, checked here once. Users are not registered, so a malformed id is a 400, not a 404. */
export const UserIdParam = () => Param('userId', new UserIdPipe());
