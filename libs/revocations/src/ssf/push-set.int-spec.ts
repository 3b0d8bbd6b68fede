import { Agent, createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { pushSet } from './push-set';

/** pushSet against a real HTTP server on loopback: every way an RFC 8935 exchange can go. */
describe('pushSet (RFC 8935 section 2)', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        open.add(res);
        handler(req, body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const answer = (status: number, body?: string, headers: Record<string, string> = {}) => (handler = (_req, _body, res) => res.writeHead(status, headers).end(body));
  const push = (options: Partial<Parameters<typeof pushSet>[3]> = {}, authorization: string | null = 'Bearer abc') => pushSet(url, 'a.b.c', authorization, { timeoutMs: 2000, ...options });

  it('POSTs the SET as application/secevent+jwt with the receiver\'s header, and takes 202 only', async () => {
    answer(202);
    expect(await push()).toEqual({ kind: 'accepted' });
    expect(seen.at(-1)).toMatchObject({ body: 'a.b.c', headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json', authorization: 'Bearer abc', 'content-length': '5' } });
    await push({}, null);
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
    for (const status of [200, 204]) {
      answer(status);
      expect(await push()).toEqual({ kind: 'failed', reason: `HTTP ${status}` });
    }
  });

  it('a 400 with an RFC 8935 err is a refusal; a 400 without one, and every other status, a failure', async () => {
    answer(400, JSON.stringify({ err: 'invalid_key', description: 'unknown kid' }));
    expect(await push()).toEqual({ kind: 'rejected', err: 'invalid_key', description: 'unknown kid' });
    answer(400, JSON.stringify({ err: 'authentication_failed' }));
    expect(await push()).toEqual({ kind: 'rejected', err: 'authentication_failed', description: '' });
    answer(400, JSON.stringify({ err: 'x'.repeat(200), description: 'd'.repeat(2000) }));
    expect(await push()).toEqual({ kind: 'failed', reason: 'HTTP 400' });
    answer(400, JSON.stringify({ err: 'a b' }));
    expect(await push()).toEqual({ kind: 'failed', reason: 'HTTP 400' });
    answer(400, JSON.stringify({ err: 'long', description: 'd'.repeat(2000) }));
    expect(await push()).toEqual({ kind: 'rejected', err: 'long', description: 'd'.repeat(1024) });
    for (const body of ['not json', 'null', '{"err":7}', '']) {
      answer(400, body);
      expect(await push()).toEqual({ kind: 'failed', reason: 'HTTP 400' });
    }
    for (const status of [401, 403, 404, 429, 500, 503]) {
      answer(status, JSON.stringify({ err: 'invalid_key', description: 'x' }));
      expect(await push()).toEqual({ kind: 'failed', reason: `HTTP ${status}` });
    }
  });

  it('reuses a kept-alive connection after a whole answer, and closes one whose answer it did not read to the end', async () => {
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    const agent = new Agent({ keepAlive: true });
    answer(202);
    for (let i = 0; i < 3; i++) expect(await push({ agent })).toEqual({ kind: 'accepted' });
    expect(connections).toBe(1);
    handler = (_req, _body, res) => res.writeHead(500).end('z'.repeat(4096));
    expect(await push({ agent, maxResponseBytes: 100 })).toEqual({ kind: 'failed', reason: 'HTTP 500' });
    answer(202);
    expect(await push({ agent })).toEqual({ kind: 'accepted' });
    expect(connections).toBe(2);
    server.off('connection', count);
    agent.destroy();
  });

  it('never follows a redirect', async () => {
    answer(307, '', { location: `${url}/elsewhere` });
    const before = seen.length;
    expect(await push()).toEqual({ kind: 'failed', reason: 'HTTP 307' });
    expect(seen.length).toBe(before + 1);
  });

  it('reads at most the bound of an answer', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      // An err answer padded far past the bound: only its start is read, so it is no complete JSON.
      res.write(`{"err":"invalid_key","description":"${'x'.repeat(100 * 1024)}`);
      res.end('"}');
    };
    expect(await push({ maxResponseBytes: 1024 })).toEqual({ kind: 'failed', reason: 'HTTP 400' });
    handler = (_req, _body, res) => {
      res.writeHead(500);
      // An answer that never ends: the bound ends it.
      const feed = setInterval(() => res.write('y'.repeat(16 * 1024)), 5);
      res.on('close', () => clearInterval(feed));
    };
    expect(await push({ maxResponseBytes: 64 * 1024 })).toEqual({ kind: 'failed', reason: 'HTTP 500' });
  });

  it('bounds the time, stops when aborted, and reports a refused connection', async () => {
    handler = () => undefined;
    expect(await push({ timeoutMs: 100 })).toEqual({ kind: 'failed', reason: 'no answer within 100 ms' });
    const aborter = new AbortController();
    const pending = push({ timeoutMs: 60_000, signal: aborter.signal });
    setTimeout(() => aborter.abort(), 50);
    expect(await pending).toEqual({ kind: 'failed', reason: 'stopped' });
    expect(await push({ signal: AbortSignal.abort() })).toEqual({ kind: 'failed', reason: 'stopped' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await pushSet(`http://127.0.0.1:${port}/events`, 'a.b.c', null, { timeoutMs: 2000 })).toEqual({ kind: 'failed', reason: 'ECONNREFUSED' });
  });
});
