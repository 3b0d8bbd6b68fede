import { createRootLogger } from './pino-logger';

/**
 * The logger's censor is the second line of defence behind "nothing logs a body or a header": whatever a careless
 * call hands it, a token, a secret or a body never reaches the log line.
 */
describe('createRootLogger: the censor', () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = createRootLogger('info', { write: (line: string) => void lines.push(line) });
    return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };
  // A canary, not a token: whatever it stands in for, it must not reach the line.
  const CANARY = 'canary-that-must-not-reach-the-log';
  const NAMES = ['authorization', 'access_token', 'token', 'secret', 'password', 'body'];
  /** Every censored name, each holding the canary. */
  const sensitive = () => Object.fromEntries(NAMES.map((name) => [name, CANARY]));

  it('censors the sensitive names at the top of a line and one level down, and only them', () => {
    const { logger, parsed } = capture();
    const lines = [
      [{ ...sensitive(), body: { nested: CANARY }, status: 200 }, 'top'],
      [{ req: { ...sensitive(), method: 'POST' }, n: 1 }, 'nested'],
      [{ headers: { authorization: CANARY, cookie: CANARY, accept: 'application/json' } }, 'headers'],
      [{ req: { headers: { authorization: CANARY, host: 'ledger' } } }, 'request headers'],
    ] as const;
    for (const [fields, msg] of lines) logger.info(fields, msg);
    const [top, nested, headers, requestHeaders] = parsed();
    const R = '[redacted]';
    expect(top).toMatchObject({ authorization: R, access_token: R, token: R, secret: R, password: R, body: R, status: 200, msg: 'top' });
    expect(nested).toMatchObject({ req: { token: R, secret: R, access_token: R, password: R, authorization: R, body: R, method: 'POST' }, n: 1 });
    expect(headers).toMatchObject({ headers: { authorization: R, cookie: R, accept: 'application/json' } });
    expect(requestHeaders).toMatchObject({ req: { headers: { authorization: R, host: 'ledger' } } });
  });

  it('censors an error that carries a sensitive field, and keeps its message and stack', () => {
    const { logger, lines, parsed } = capture();
    const err = Object.assign(new Error('upstream refused'), { body: CANARY, status: 502 });
    logger.error({ err }, 'failed');
    expect(parsed()[0]).toMatchObject({ err: { type: 'Error', message: 'upstream refused', body: '[redacted]', status: 502, stack: expect.stringContaining('upstream refused') } });
    expect(lines.join('')).not.toContain(CANARY);
  });

  it("censors a child logger's bindings too", () => {
    const { logger, lines, parsed } = capture();
    const bindings = { token: CANARY, part: 'relay' };
    logger.child(bindings).info('from a child');
    expect(parsed()[0]).toMatchObject({ token: '[redacted]', part: 'relay', msg: 'from a child' });
    expect(lines.join('')).not.toContain(CANARY);
  });

  it("leaves the caller's object as it was, and a line with nothing sensitive exactly as given", () => {
    const { logger, parsed } = capture();
    const fields = { req: { token: CANARY, method: 'GET' }, token: CANARY };
    logger.info(fields, 'once');
    expect(fields).toEqual({ req: { token: CANARY, method: 'GET' }, token: CANARY });
    const plain = { requestId: 'r-1', method: 'GET', url: '/v1/clients', status: 200, ms: 1.25, tags: ['a', 'b'], nested: { deep: { id: 'c-1' } } };
    logger.info(plain, 'request completed');
    const { level, time, pid, msg, ...rest } = parsed()[1];
    expect({ level, msg, rest }).toEqual({ level: 'info', msg: 'request completed', rest: plain });
    expect(typeof time === 'string' && typeof pid === 'number').toBe(true);
  });
});
