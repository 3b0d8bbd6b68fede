import pino from 'pino';
import { Writable } from 'node:stream';
import { RequestLogger } from './request-logger';

describe('RequestLogger: request.log without a pino child per request', () => {
  const capture = (level = 'info') => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    return { root: pino({ level }, sink), lines };
  };

  it('writes each line through the root logger with the request id, as a child would', () => {
    const { root, lines } = capture();
    const log = new RequestLogger(root, { requestId: 'r-1' }, {});
    log.info({ status: 200 }, 'request completed');
    log.warn('plain message');
    log.error(new Error('boom'));
    expect(lines.map(({ requestId, status, msg }) => ({ requestId, status, msg }))).toEqual([
      { requestId: 'r-1', status: 200, msg: 'request completed' },
      { requestId: 'r-1', status: undefined, msg: 'plain message' },
      { requestId: 'r-1', status: undefined, msg: 'boom' },
    ]);
    expect(lines[2].err).toMatchObject({ message: 'boom', type: 'Error' });
  });

  it('writes nothing below the level, and says the root level', () => {
    const { root, lines } = capture('warn');
    const log = new RequestLogger(root, { requestId: 'r-2' }, {});
    log.info({ status: 200 }, 'request completed');
    log.debug('noise');
    expect(lines).toEqual([]);
    expect(log.level).toBe('warn');
  });

  it('makes a real child, bound to the request, only when one is asked for', () => {
    const { root, lines } = capture();
    const child = new RequestLogger(root, { requestId: 'r-3' }, {}).child({ part: 'x' });
    child.info('from the child');
    expect(lines[0]).toMatchObject({ requestId: 'r-3', part: 'x', msg: 'from the child' });
  });
});
