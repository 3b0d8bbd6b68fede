import { consistencyToken, parseConsistencyToken } from './consistency-token';
import { ProblemError } from './problem';

describe('consistency tokens', () => {
  it.each([-1, 0, 1, 255, 256, 1_234_567_890_123, Number.MAX_SAFE_INTEGER - 1])('position %d survives the round trip', (position) => {
    const token = consistencyToken(position);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]{11}$/);
    expect(parseConsistencyToken(token)).toBe(position);
  });

  it('gives later positions different tokens', () => {
    expect(consistencyToken(41)).not.toBe(consistencyToken(42));
  });

  const valid = consistencyToken(42);
  it.each([
    ['empty', ''],
    ['no version', valid.slice(3)],
    ['another version', `v2${valid.slice(2)}`],
    ['a character short', valid.slice(0, -1)],
    ['a character long', `${valid}A`],
    ['padding', `${valid}=`],
    ['standard base64', valid.replace(/.$/, '+')],
    ['a non-canonical last character', valid.replace(/.$/, String.fromCharCode(valid.charCodeAt(valid.length - 1) + 1))],
    ['whitespace', ` ${valid}`],
    ['a position beyond 2^53', `v1.${Buffer.alloc(8, 0xff).toString('base64url')}`],
  ])('refuses %s with a 400 problem', (_, token) => {
    const error = (() => {
      try {
        parseConsistencyToken(token);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).problem).toMatchObject({ status: 400, code: 'invalid_consistency_token' });
  });
});
